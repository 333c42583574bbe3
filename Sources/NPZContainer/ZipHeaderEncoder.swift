/// Encodes the records the writer emits, field for field as CPython's zipfile writes them for
/// `ZipFile.open(name, "w", force_zip64=True)` (which `np.savez` uses).
enum ZipHeaderEncoder {
    /// zipfile's ZIP64_LIMIT: above it, sizes and offsets move into zip64 fields.
    static let zip64Limit: UInt64 = (1 << 31) - 1
    /// "Version needed" for zip64 (4.5), which zipfile writes because it forces zip64.
    static let zip64Version: UInt16 = 45
    /// "Version made by": Unix (3) in the high byte, 4.5 in the low byte.
    static let versionMadeBy: UInt16 = 3 << 8 | 45
    /// `0o600 << 16`: zipfile's default external attributes (Unix mode rw-------).
    static let externalAttributes: UInt32 = 0o600 << 16
    /// Length of a local header's zip64 extra field (id, length, two 64-bit sizes).
    static let localZip64ExtraLength = 20

    /// A local file header with sizes 0xFFFFFFFF and the real ones in a zip64 extra field.
    static func localHeader(
        name: [UInt8], flags: UInt16, method: ZipMethod, dosDateTime: UInt32, crc: UInt32,
        compressedSize: UInt64, uncompressedSize: UInt64
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ZipRecordSize.localFileHeader + name.count + localZip64ExtraLength)
        bytes.appendLE32(ZipSignature.localFileHeader)
        bytes.appendLE16(zip64Version)
        bytes.appendLE16(flags)
        bytes.appendLE16(method.rawValue)
        bytes.appendLE16(UInt16(truncatingIfNeeded: dosDateTime))
        bytes.appendLE16(UInt16(truncatingIfNeeded: dosDateTime >> 16))
        bytes.appendLE32(crc)
        bytes.appendLE32(0xFFFF_FFFF)
        bytes.appendLE32(0xFFFF_FFFF)
        bytes.appendLE16(UInt16(name.count))
        bytes.appendLE16(UInt16(localZip64ExtraLength))
        bytes.append(contentsOf: name)
        bytes.appendLE16(zip64ExtraID)
        bytes.appendLE16(16)
        bytes.appendLE64(uncompressedSize)
        bytes.appendLE64(compressedSize)
        return bytes
    }

    /// A central directory header; zip64 extra values only for what exceeds `zip64Limit`.
    static func centralDirectoryHeader(_ member: WrittenMember, into bytes: inout [UInt8]) {
        var zip64Values: [UInt64] = []
        var uncompressed32: UInt32
        var compressed32: UInt32
        if member.uncompressedSize > zip64Limit || member.compressedSize > zip64Limit {
            zip64Values += [member.uncompressedSize, member.compressedSize]
            uncompressed32 = 0xFFFF_FFFF
            compressed32 = 0xFFFF_FFFF
        } else {
            uncompressed32 = UInt32(member.uncompressedSize)
            compressed32 = UInt32(member.compressedSize)
        }
        var offset32: UInt32
        if member.localHeaderOffset > zip64Limit {
            zip64Values.append(member.localHeaderOffset)
            offset32 = 0xFFFF_FFFF
        } else {
            offset32 = UInt32(member.localHeaderOffset)
        }
        let extraLength = zip64Values.isEmpty ? 0 : 4 + 8 * zip64Values.count
        bytes.appendLE32(ZipSignature.centralDirectoryHeader)
        bytes.appendLE16(versionMadeBy)
        bytes.appendLE16(zip64Version)
        bytes.appendLE16(member.flags)
        bytes.appendLE16(member.method.rawValue)
        bytes.appendLE16(UInt16(truncatingIfNeeded: member.dosDateTime))
        bytes.appendLE16(UInt16(truncatingIfNeeded: member.dosDateTime >> 16))
        bytes.appendLE32(member.crc32)
        bytes.appendLE32(compressed32)
        bytes.appendLE32(uncompressed32)
        bytes.appendLE16(UInt16(member.name.count))
        bytes.appendLE16(UInt16(extraLength))
        bytes.appendLE16(0)  // comment length
        bytes.appendLE16(0)  // disk number start
        bytes.appendLE16(0)  // internal attributes
        bytes.appendLE32(externalAttributes)
        bytes.appendLE32(offset32)
        bytes.append(contentsOf: member.name)
        if !zip64Values.isEmpty {
            bytes.appendLE16(zip64ExtraID)
            bytes.appendLE16(UInt16(8 * zip64Values.count))
            for value in zip64Values { bytes.appendLE64(value) }
        }
    }

    /// The end records: zip64 end record and locator when the count exceeds 0xFFFF or the central
    /// directory's offset or size exceeds `zip64Limit` (as zipfile decides), then the classic record.
    static func endRecords(
        entryCount: Int, directoryOffset: UInt64, directorySize: UInt64, comment: [UInt8]
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        var count = UInt64(entryCount)
        var size = directorySize
        var offset = directoryOffset
        if count > 0xFFFF || offset > zip64Limit || size > zip64Limit {
            let zip64RecordOffset = directoryOffset + directorySize
            bytes.appendLE32(ZipSignature.zip64EndOfCentralDirectory)
            bytes.appendLE64(44)  // size of the rest of this record
            bytes.appendLE16(45)  // version made by (as zipfile writes it)
            bytes.appendLE16(45)  // version needed
            bytes.appendLE32(0)  // this disk
            bytes.appendLE32(0)  // disk with the central directory
            bytes.appendLE64(count)
            bytes.appendLE64(count)
            bytes.appendLE64(size)
            bytes.appendLE64(offset)
            bytes.appendLE32(ZipSignature.zip64EndLocator)
            bytes.appendLE32(0)
            bytes.appendLE64(zip64RecordOffset)
            bytes.appendLE32(1)
            count = min(count, 0xFFFF)
            size = min(size, 0xFFFF_FFFF)
            offset = min(offset, 0xFFFF_FFFF)
        }
        bytes.appendLE32(ZipSignature.endOfCentralDirectory)
        bytes.appendLE16(0)
        bytes.appendLE16(0)
        bytes.appendLE16(UInt16(count))
        bytes.appendLE16(UInt16(count))
        bytes.appendLE32(UInt32(size))
        bytes.appendLE32(UInt32(offset))
        bytes.appendLE16(UInt16(comment.count))
        bytes.append(contentsOf: comment)
        return bytes
    }
}

/// What the central directory needs to know about a member already written.
struct WrittenMember {
    var name: [UInt8]
    var flags: UInt16
    var method: ZipMethod
    var dosDateTime: UInt32
    var crc32: UInt32
    var compressedSize: UInt64
    var uncompressedSize: UInt64
    var localHeaderOffset: UInt64
}
