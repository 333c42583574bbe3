import Foundation

/// A minimal zip writer for test inputs: stored members, no extra fields, no data descriptors.
enum StoredZip {
    static func archive(_ members: [(name: String, data: Data)]) -> Data {
        var out = Data()
        var directory = Data()
        for (name, data) in members {
            let offset = UInt32(out.count)
            let crc = crc32(data)
            let nameBytes = Data(name.utf8)
            out.append(le32(0x0403_4B50))
            out.append(le16(20)); out.append(le16(0)); out.append(le16(0))  // version, flags, stored
            out.append(le16(0)); out.append(le16(0x21))                      // time, date
            out.append(le32(crc)); out.append(le32(UInt32(data.count))); out.append(le32(UInt32(data.count)))
            out.append(le16(UInt16(nameBytes.count))); out.append(le16(0))
            out.append(nameBytes); out.append(data)

            directory.append(le32(0x0201_4B50))
            directory.append(le16(20)); directory.append(le16(20)); directory.append(le16(0)); directory.append(le16(0))
            directory.append(le16(0)); directory.append(le16(0x21))
            directory.append(le32(crc)); directory.append(le32(UInt32(data.count))); directory.append(le32(UInt32(data.count)))
            directory.append(le16(UInt16(nameBytes.count))); directory.append(le16(0)); directory.append(le16(0))
            directory.append(le16(0)); directory.append(le16(0)); directory.append(le32(0))
            directory.append(le32(offset)); directory.append(nameBytes)
        }
        let directoryOffset = UInt32(out.count)
        out.append(directory)
        out.append(le32(0x0605_4B50)); out.append(le16(0)); out.append(le16(0))
        out.append(le16(UInt16(members.count))); out.append(le16(UInt16(members.count)))
        out.append(le32(UInt32(directory.count))); out.append(le32(directoryOffset)); out.append(le16(0))
        return out
    }

    private static func le16(_ value: UInt16) -> Data { withUnsafeBytes(of: value.littleEndian) { Data($0) } }
    private static func le32(_ value: UInt32) -> Data { withUnsafeBytes(of: value.littleEndian) { Data($0) } }

    static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
