/// Caps on what an archive may make the reader allocate or do. Exceeding one is a `ZipError`.
public struct ZipLimits: Sendable, Hashable {
    /// Most entries the central directory may declare.
    public var maxEntries: Int
    /// Most bytes the central directory may occupy (it is read into memory whole).
    public var maxCentralDirectorySize: Int
    /// Longest member name, in bytes.
    public var maxNameLength: Int
    /// Largest accepted declared-uncompressed / compressed size ratio of a deflated member.
    /// Deflate cannot exceed about 1032:1, so the default refuses only forged sizes.
    public var maxInflateRatio: UInt64

    /// 65,536 entries, 64 MiB of central directory, 4,096-byte names, 1032:1.
    public static let `default` = ZipLimits(
        maxEntries: 65_536, maxCentralDirectorySize: 64 << 20, maxNameLength: 4_096, maxInflateRatio: 1_032)

    /// Caps as given; see each property.
    public init(maxEntries: Int, maxCentralDirectorySize: Int, maxNameLength: Int, maxInflateRatio: UInt64) {
        self.maxEntries = maxEntries
        self.maxCentralDirectorySize = maxCentralDirectorySize
        self.maxNameLength = maxNameLength
        self.maxInflateRatio = maxInflateRatio
    }
}
