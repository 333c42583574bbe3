/// Produces the bytes `np.save` writes before an array's data.
public enum NPYHeaderEncoder {
    /// Data starts at a multiple of this many bytes, as in `np.save`.
    public static let alignment = 64
    /// `np.save` leaves room for the growing axis to reach this many digits.
    static let growthAxisMaxDigits = 21

    /// The full preamble and header (`\x93NUMPY`, version, length, dict text, spaces, `\n`)
    /// that `np.save` writes for an array of `dtype` and `shape` laid out in Fortran order when
    /// `fortranOrder` is true. The result's length is the data offset, a multiple of 64.
    /// Version 1.0 is used when the header length fits in 16 bits, else 2.0.
    /// Traps if a dimension is negative (a caller bug, not a file error).
    public static func encode(dtype: DType, fortranOrder: Bool, shape: [Int]) -> [UInt8] {
        precondition(shape.allSatisfy { $0 >= 0 }, "shape dimensions must be non-negative")
        let stored = storedFortranOrder(fortranOrder: fortranOrder, shape: shape)
        var text = "{'descr': '\(dtype.descr)', 'fortran_order': \(stored ? "True" : "False"), "
        text += "'shape': \(NPYShapeText.python(shape)), }"
        if !shape.isEmpty {
            let growthAxis = stored ? shape[shape.count - 1] : shape[0]
            let digits = String(growthAxis).utf8.count
            text += String(repeating: " ", count: max(0, growthAxisMaxDigits - digits))
        }
        let textBytes = Array(text.utf8)
        if let v1 = wrap(textBytes, version: .v1) { return v1 }
        // A v2.0 length field holds any header this encoder can produce.
        return wrap(textBytes, version: .v2) ?? []
    }

    /// The header `encode` writes, as `NPYHeaderParser` would read it back.
    public static func header(dtype: DType, fortranOrder: Bool, shape: [Int]) -> NPYHeader {
        header(
            encoded: encode(dtype: dtype, fortranOrder: fortranOrder, shape: shape), dtype: dtype,
            fortranOrder: fortranOrder, shape: shape)
    }

    /// The header of `bytes`, which `encode` wrote for these `dtype`, `fortranOrder` and `shape`.
    public static func header(encoded bytes: [UInt8], dtype: DType, fortranOrder: Bool, shape: [Int]) -> NPYHeader {
        let version = NPYVersion(bytes[6], bytes[7])
        return NPYHeader(
            version: version, dtype: dtype,
            fortranOrder: storedFortranOrder(fortranOrder: fortranOrder, shape: shape),
            shape: shape, dataOffset: bytes.count)
    }

    /// The `fortran_order` flag `np.save` writes for data laid out in Fortran order when
    /// `fortranOrder` is true: false whenever the same bytes are also a C-order array (an empty
    /// array, or at most one dimension longer than 1), because NumPy checks C-contiguity first.
    public static func storedFortranOrder(fortranOrder: Bool, shape: [Int]) -> Bool {
        guard fortranOrder else { return false }
        if shape.contains(0) { return false }
        return shape.filter { $0 != 1 }.count > 1
    }

    /// Preamble + text + padding + `\n` for `version`, or nil if the length does not fit its field.
    private static func wrap(_ text: [UInt8], version: NPYVersion) -> [UInt8]? {
        let preamble = NPYHeaderParser.preambleLength(for: version)
        let textWithNewline = text.count + 1
        let padding = alignment - (preamble + textWithNewline) % alignment
        let headerLength = textWithNewline + padding
        let fieldSize = NPYHeaderParser.headerLengthFieldSize(for: version)
        guard headerLength < 1 << (8 * fieldSize) else { return nil }

        var bytes = NPYHeaderParser.magic
        bytes.reserveCapacity(preamble + headerLength)
        bytes.append(version.major)
        bytes.append(version.minor)
        for index in 0..<fieldSize {
            bytes.append(UInt8(truncatingIfNeeded: headerLength >> (8 * index)))
        }
        bytes.append(contentsOf: text)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
