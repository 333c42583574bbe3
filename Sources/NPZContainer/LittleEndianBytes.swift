/// Explicit little-endian field access for zip records. Readers take an absolute index that the
/// caller has already bounds-checked against the record length.
extension Array where Element == UInt8 {
    func le16(at i: Int) -> UInt16 {
        UInt16(self[i]) | UInt16(self[i + 1]) << 8
    }

    func le32(at i: Int) -> UInt32 {
        UInt32(self[i]) | UInt32(self[i + 1]) << 8 | UInt32(self[i + 2]) << 16 | UInt32(self[i + 3]) << 24
    }

    func le64(at i: Int) -> UInt64 {
        UInt64(le32(at: i)) | UInt64(le32(at: i + 4)) << 32
    }

    mutating func appendLE16(_ v: UInt16) {
        append(UInt8(truncatingIfNeeded: v))
        append(UInt8(truncatingIfNeeded: v >> 8))
    }

    mutating func appendLE32(_ v: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }

    mutating func appendLE64(_ v: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }

    mutating func storeLE32(_ v: UInt32, at i: Int) {
        for k in 0..<4 { self[i + k] = UInt8(truncatingIfNeeded: v >> UInt32(8 * k)) }
    }

    mutating func storeLE64(_ v: UInt64, at i: Int) {
        for k in 0..<8 { self[i + k] = UInt8(truncatingIfNeeded: v >> UInt64(8 * k)) }
    }
}

/// Record signatures and fixed sizes (APPNOTE.TXT 6.3).
enum ZipSignature {
    static let localFileHeader: UInt32 = 0x0403_4b50
    static let centralDirectoryHeader: UInt32 = 0x0201_4b50
    static let endOfCentralDirectory: UInt32 = 0x0605_4b50
    static let zip64EndOfCentralDirectory: UInt32 = 0x0606_4b50
    static let zip64EndLocator: UInt32 = 0x0706_4b50
    static let dataDescriptor: UInt32 = 0x0807_4b50
}

enum ZipRecordSize {
    static let localFileHeader = 30
    static let centralDirectoryHeader = 46
    static let endOfCentralDirectory = 22
    static let zip64EndOfCentralDirectory = 56
    static let zip64EndLocator = 20
    /// End record plus the longest possible archive comment.
    static let maxEndRecordSearch = 22 + 0xFFFF
}

/// The zip64 extended-information extra field id.
let zip64ExtraID: UInt16 = 0x0001
