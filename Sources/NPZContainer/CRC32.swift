import NPDropISAL
import NPDropZlib

/// A running CRC-32 (the zip/gzip polynomial) computed by ISA-L's `crc32_gzip_refl` (carry-less
/// multiply; the same values as zlib's `crc32_z`, about 5× faster).
public struct CRC32: Sendable, Hashable {
    /// The CRC of all bytes fed so far (0 for none).
    public private(set) var value: UInt32

    /// Starts from `value` (0 for an empty prefix), e.g. to continue an earlier checksum.
    public init(value: UInt32 = 0) {
        self.value = value
    }

    /// Extends the checksum by `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        value = crc32_gzip_refl(value, base.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
    }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// The CRC-32 of `a + b` from the CRC of `a`, the CRC of `b` and the length of `b`
    /// (zlib's `crc32_combine`), so blocks checksummed in parallel can be joined.
    public static func combine(_ crcA: UInt32, _ crcB: UInt32, lengthOfB: UInt64) -> UInt32 {
        guard lengthOfB > 0 else { return crcA }
        let length = Int64(min(lengthOfB, UInt64(Int64.max)))
        return UInt32(truncatingIfNeeded: npdrop_crc32_combine(uLong(crcA), uLong(crcB), length))
    }
}
