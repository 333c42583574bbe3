/// Decodes the central directory (already read into memory whole) into entries.
enum CentralDirectoryParser {
    static func parse(
        bytes: [UInt8], expectedCount: Int, limits: ZipLimits
    ) throws(ZipError) -> [ZipEntry] {
        var entries: [ZipEntry] = []
        entries.reserveCapacity(expectedCount)
        var at = 0
        for index in 0..<expectedCount {
            let entry = try parseEntry(bytes: bytes, at: &at, index: index, limits: limits)
            entries.append(entry)
        }
        return entries
    }

    private static func parseEntry(
        bytes: [UInt8], at: inout Int, index: Int, limits: ZipLimits
    ) throws(ZipError) -> ZipEntry {
        let fixed = ZipRecordSize.centralDirectoryHeader
        guard bytes.count - at >= fixed else {
            throw ZipError.corrupt(
                member: nil,
                detail: "central directory ends inside entry #\(index) (needs \(fixed) bytes at offset \(at), "
                    + "has \(bytes.count - at))")
        }
        let signature = bytes.le32(at: at)
        guard signature == ZipSignature.centralDirectoryHeader else {
            throw ZipError.corrupt(
                member: nil,
                detail: "expected central directory header signature PK\\1\\2 for entry #\(index), "
                    + "found 0x\(String(signature, radix: 16))")
        }
        let flags = bytes.le16(at: at + 8)
        let method = ZipMethod(rawValue: bytes.le16(at: at + 10))
        let time = bytes.le16(at: at + 12)
        let date = bytes.le16(at: at + 14)
        let crc = bytes.le32(at: at + 16)
        let compressed32 = bytes.le32(at: at + 20)
        let uncompressed32 = bytes.le32(at: at + 24)
        let nameLength = Int(bytes.le16(at: at + 28))
        let extraLength = Int(bytes.le16(at: at + 30))
        let commentLength = Int(bytes.le16(at: at + 32))
        let disk16 = bytes.le16(at: at + 34)
        let offset32 = bytes.le32(at: at + 42)

        guard nameLength <= limits.maxNameLength else {
            throw ZipError.nameTooLong(
                entryIndex: index, length: nameLength, limit: limits.maxNameLength)
        }
        let variable = nameLength + extraLength + commentLength
        guard bytes.count - at - fixed >= variable else {
            throw ZipError.corrupt(
                member: nil,
                detail: "central directory entry #\(index) declares \(variable) bytes of name, extra and comment "
                    + "but only \(bytes.count - at - fixed) remain")
        }
        let nameStart = at + fixed
        let rawName = Array(bytes[nameStart..<(nameStart + nameLength)])
        let name = try decodeName(rawName: rawName, flags: flags, index: index)
        let extra = Array(bytes[(nameStart + nameLength)..<(nameStart + nameLength + extraLength)])

        var uncompressed = UInt64(uncompressed32)
        var compressed = UInt64(compressed32)
        var offset = UInt64(offset32)
        var disk = UInt32(disk16)
        let needsUncompressed = uncompressed32 == 0xFFFF_FFFF
        let needsCompressed = compressed32 == 0xFFFF_FFFF
        let needsOffset = offset32 == 0xFFFF_FFFF
        let needsDisk = disk16 == 0xFFFF
        if needsUncompressed || needsCompressed || needsOffset || needsDisk,
            let zip64 = try ExtraField.find(zip64ExtraID, in: extra, member: name)
        {
            var reader = Zip64ExtraReader(data: zip64)
            func next(_ field: String) throws(ZipError) -> UInt64 {
                guard let value = reader.next64() else {
                    throw ZipError.corrupt(
                        member: name,
                        detail: "zip64 extra field in the central directory lacks the \(field)")
                }
                return value
            }
            if needsUncompressed { uncompressed = try next("uncompressed size") }
            if needsCompressed { compressed = try next("compressed size") }
            if needsOffset { offset = try next("local header offset") }
            if needsDisk {
                guard let value = reader.next32() else {
                    throw ZipError.corrupt(
                        member: name,
                        detail: "zip64 extra field in the central directory lacks the disk number")
                }
                disk = value
            }
        }
        guard disk == 0 else {
            throw ZipError.unsupportedFeature(member: name, feature: "member starts on disk \(disk)")
        }
        at = nameStart + variable
        return ZipEntry(
            index: index, name: name, rawName: rawName, method: method, flags: flags, crc32: crc,
            compressedSize: compressed, uncompressedSize: uncompressed, localHeaderOffset: offset,
            dosDateTime: UInt32(date) << 16 | UInt32(time))
    }

    private static func decodeName(
        rawName: [UInt8], flags: UInt16, index: Int
    ) throws(ZipError) -> String {
        guard flags & ZipFlags.utf8Name != 0 else { return CodePage437.decode(rawName) }
        guard let name = String(validating: rawName, as: UTF8.self) else {
            throw ZipError.invalidName(
                entryIndex: index, detail: "flag bit 11 says UTF-8 but it is not")
        }
        return name
    }
}

/// Walks extra-field blocks (id, length, data).
enum ExtraField {
    /// The data of the first block with `id`, or nil. Throws `.corrupt` when a block overruns the field.
    static func find(_ id: UInt16, in extra: [UInt8], member: String) throws(ZipError) -> [UInt8]? {
        var at = 0
        while extra.count - at >= 4 {
            let blockID = extra.le16(at: at)
            let length = Int(extra.le16(at: at + 2))
            guard extra.count - at - 4 >= length else {
                throw ZipError.corrupt(
                    member: member,
                    detail: "extra field block 0x\(String(blockID, radix: 16)) declares \(length) bytes, "
                        + "only \(extra.count - at - 4) remain")
            }
            if blockID == id { return Array(extra[(at + 4)..<(at + 4 + length)]) }
            at += 4 + length
        }
        return nil
    }
}

/// Reads the 8-byte (and final 4-byte) values of a zip64 extra block in order.
struct Zip64ExtraReader {
    let data: [UInt8]
    var at = 0

    init(data: [UInt8]) {
        self.data = data
    }

    mutating func next64() -> UInt64? {
        guard data.count - at >= 8 else { return nil }
        defer { at += 8 }
        return data.le64(at: at)
    }

    mutating func next32() -> UInt32? {
        guard data.count - at >= 4 else { return nil }
        defer { at += 4 }
        return data.le32(at: at)
    }
}
