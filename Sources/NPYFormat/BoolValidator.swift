/// Checks that bool data holds only the bytes 0 and 1.
public enum BoolValidator {
    /// The index and value of the first byte in `bytes` that is neither 0 nor 1, or nil if all are valid.
    /// Reads every byte once; allocates nothing.
    public static func firstInvalid(in bytes: UnsafeRawBufferPointer) -> (index: Int, value: UInt8)? {
        let count = bytes.count
        var index = 0
        // Eight bytes at a time: any bit other than bit 0 of a byte marks an invalid byte.
        // The mask is the same in either byte order, so no conversion is needed.
        let highBits: UInt64 = 0xFEFE_FEFE_FEFE_FEFE
        while index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if word & highBits != 0 { break }
            index += 8
        }
        while index < count {
            let value = bytes[index]
            if value > 1 { return (index, value) }
            index += 1
        }
        return nil
    }

    /// Throws `NPYFormatError.invalidBool` for the first invalid byte of `bytes`,
    /// reporting its offset as `dataOffset` (the offset of `bytes` within the data) plus its index.
    public static func validate(_ bytes: UnsafeRawBufferPointer, dataOffset: Int) throws {
        if let bad = firstInvalid(in: bytes) {
            throw NPYFormatError.invalidBool(offset: dataOffset + bad.index, value: bad.value)
        }
    }
}
