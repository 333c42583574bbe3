/// One member as the central directory describes it (zip64 extras already applied).
public struct ZipEntry: Sendable, Hashable {
    /// Position in the central directory, from 0.
    public let index: Int
    /// The name decoded as UTF-8 (flag bit 11) or code page 437, like Python's zipfile; may contain `/`.
    public let name: String
    /// The name exactly as stored.
    public let rawName: [UInt8]
    /// Compression method id; only `.stored` and `.deflated` can be opened.
    public let method: ZipMethod
    /// General-purpose bit flags (bit 0 encrypted, bit 3 data descriptor, bit 11 UTF-8 name).
    public let flags: UInt16
    /// CRC-32 of the uncompressed bytes.
    public let crc32: UInt32
    /// Size of the member's data in the archive.
    public let compressedSize: UInt64
    /// Size of the member's bytes after inflating.
    public let uncompressedSize: UInt64
    /// Offset of the member's local file header from the start of the archive.
    public let localHeaderOffset: UInt64
    /// DOS modification time and date fields, as stored (time in the low 16 bits).
    public let dosDateTime: UInt32

    /// Flag bit 0.
    public var isEncrypted: Bool { flags & ZipFlags.encrypted != 0 }
    /// Flag bit 3: CRC and sizes follow the data in a data descriptor.
    public var usesDataDescriptor: Bool { flags & ZipFlags.dataDescriptor != 0 }
    /// Flag bit 11: the name is UTF-8.
    public var hasUTF8Name: Bool { flags & ZipFlags.utf8Name != 0 }
    /// True for a name ending in `/` (a directory entry, never an array).
    public var isDirectory: Bool { rawName.last == UInt8(ascii: "/") }
}

/// General-purpose flag bits used by this layer.
enum ZipFlags {
    static let encrypted: UInt16 = 1 << 0
    static let dataDescriptor: UInt16 = 1 << 3
    static let strongEncryption: UInt16 = 1 << 6
    static let utf8Name: UInt16 = 1 << 11
    static let maskedHeaders: UInt16 = 1 << 13
}
