import NPYFormat

/// Converts array data as stored (any byte order, C or Fortran order) into C-order little-endian
/// bytes, the form the MANIFEST hashes describe.
enum ArrayBytes {
    static func cOrderLittleEndian(_ data: [UInt8], header: NPYHeader) -> [UInt8] {
        let itemSize = header.dtype.itemSize
        var swapped = data
        if header.dtype.byteOrder == .big {
            // Complex values swap each of their two parts.
            let part = header.dtype.kind == .complex ? itemSize / 2 : itemSize
            for start in stride(from: 0, to: swapped.count, by: part) {
                swapped[start..<(start + part)].reverse()
            }
        }
        guard header.fortranOrder, header.shape.count > 1 else { return swapped }
        let shape = header.shape
        let count = shape.reduce(1, *)
        var result = [UInt8](repeating: 0, count: swapped.count)
        var index = [Int](repeating: 0, count: shape.count)  // C-order multi-index
        for cPosition in 0..<count {
            var fPosition = 0
            var stride = 1
            for axis in 0..<shape.count {
                fPosition += index[axis] * stride
                stride *= shape[axis]
            }
            result[(cPosition * itemSize)..<((cPosition + 1) * itemSize)] =
                swapped[(fPosition * itemSize)..<((fPosition + 1) * itemSize)]
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }
}
