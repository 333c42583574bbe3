/// A stretch of storage-order elements whose noise indices form an arithmetic sequence:
/// element `elementOffset + j` (counted from the start of the visited range) uses noise
/// element `noiseStart + j * noiseStride`, for `j` in `0..<count`. `noiseStride` is 0 where
/// the run is broadcast (one noise flag for the whole run).
public struct BroadcastRun: Sendable, Hashable {
    public var elementOffset: Int
    public var count: Int
    public var noiseStart: Int
    public var noiseStride: Int
}

extension BroadcastMap {
    /// Calls `body` with consecutive runs covering `elements` in storage order (each run at
    /// most one row of the innermost merged storage axis). For consumers that produce keep
    /// flags without materialising the whole noise, e.g. an RNG that jumps to `noiseStart`
    /// and steps by `noiseStride` draws. Traps when `elements` is not inside
    /// `0..<elementCount` (a caller bug); rethrows what `body` throws and stops there.
    public func forEachRun(elements: Range<Int>, _ body: (BroadcastRun) throws -> Void) rethrows {
        precondition(elements.lowerBound >= 0 && elements.upperBound <= elementCount, "element range outside the array")
        let total = elements.count
        guard total > 0 else { return }
        let (extents, strides) = walkAxes
        let rank = extents.count
        // The multi-index lives on the stack: no allocation per call.
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: rank) { index in
            var rest = elements.lowerBound
            var noiseOffset = 0
            for axis in (0..<rank).reversed() {
                index[axis] = rest % extents[axis]
                rest /= extents[axis]
                noiseOffset &+= index[axis] &* strides[axis]
            }
            let inner = rank - 1
            var written = 0
            var position = index[inner]
            while true {
                let run = min(extents[inner] - position, total - written)
                try body(
                    BroadcastRun(
                        elementOffset: written, count: run, noiseStart: noiseOffset, noiseStride: strides[inner]))
                written &+= run
                if written == total { return }
                noiseOffset &-= position &* strides[inner]
                position = 0
                var axis = inner - 1
                while axis >= 0 {
                    index[axis] &+= 1
                    noiseOffset &+= strides[axis]
                    if index[axis] < extents[axis] { break }
                    noiseOffset &-= strides[axis] &* extents[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}
