import Foundation

/// A zip archive of stored members built from the format rules (APPNOTE 4.3), so CLI tests can
/// make an `.npz` with extra members and an archive comment without Python.
enum StoredZip {
    /// An archive holding `members` (name, bytes) in order, stored, ending with `comment`.
    static func archive(_ members: [(name: String, bytes: Data)], comment: Data = Data()) -> Data {
        var body = Data()
        var directory = Data()
        for member in members {
            let name = Data(member.name.utf8)
            let crc = crc32(member.bytes)
            let offset = UInt32(body.count)
            body += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            body += le32(crc) + le32(UInt32(member.bytes.count)) + le32(UInt32(member.bytes.count))
            body += le16(UInt16(name.count)) + le16(0) + name + member.bytes
            directory += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            directory += le32(crc) + le32(UInt32(member.bytes.count)) + le32(UInt32(member.bytes.count))
            directory +=
                le16(UInt16(name.count)) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + name
        }
        let end =
            le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(members.count)) + le16(UInt16(members.count))
            + le32(UInt32(directory.count)) + le32(UInt32(body.count)) + le16(UInt16(comment.count)) + comment
        return body + directory + end
    }

    /// The archive comment of `archive` (the bytes after the end-of-central-directory record
    /// found last), or nil when there is none.
    static func comment(of archive: Data) -> Data? {
        let bytes = [UInt8](archive)
        guard bytes.count >= 22 else { return nil }
        for start in stride(from: bytes.count - 22, through: 0, by: -1)
        where bytes[start] == 0x50 && bytes[start + 1] == 0x4B && bytes[start + 2] == 5 && bytes[start + 3] == 6 {
            let length = Int(bytes[start + 20]) | Int(bytes[start + 21]) << 8
            guard start + 22 + length == bytes.count else { continue }
            return Data(bytes[(start + 22)...])
        }
        return nil
    }

    /// CRC-32 (ISO-HDLC, the zip one) of `data`.
    static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }

    private static func le16(_ value: UInt16) -> Data { Data([UInt8(value & 0xFF), UInt8(value >> 8)]) }
    private static func le32(_ value: UInt32) -> Data {
        Data((0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) })
    }
}
