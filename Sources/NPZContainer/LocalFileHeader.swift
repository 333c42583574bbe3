/// A member's local file header, checked against its central directory entry.
struct LocalFileHeader {
    /// Offset of the member's first data byte.
    var dataOffset: UInt64

    /// Decodes the fixed part (`fixed`, 30 bytes at `entry.localHeaderOffset`) and the name and extra
    /// field (`variable`), and checks them against `entry`: signature, name, method, and — unless a data
    /// descriptor carries them — CRC and sizes, taking 0xFFFFFFFF sizes from the zip64 extra field.
    /// Accepts the three shapes NumPy/CPython write (no extra; real sizes plus zip64 extra;
    /// 0xFFFFFFFF sizes with the real ones in the zip64 extra).
    static func check(
        entry: ZipEntry, fixed: [UInt8], variable: [UInt8]
    ) throws(ZipError) -> LocalFileHeader {
        let member = entry.name
        let nameLength = Int(fixed.le16(at: 26))
        let localFlags = fixed.le16(at: 6)
        let method = fixed.le16(at: 8)
        let crc = fixed.le32(at: 14)
        let compressed32 = fixed.le32(at: 18)
        let uncompressed32 = fixed.le32(at: 22)

        // As Python's zipfile: the local name, decoded as its own flag bit 11 says, must equal the
        // central directory's name.
        let localRaw = Array(variable[0..<nameLength])
        let localName =
            localFlags & ZipFlags.utf8Name != 0
            ? String(validating: localRaw, as: UTF8.self) : CodePage437.decode(localRaw)
        guard let localName, localName.unicodeScalars.elementsEqual(entry.name.unicodeScalars) else {
            let found = localName ?? CodePage437.decode(localRaw)
            throw ZipError.corrupt(
                member: member,
                detail: "local header names the member '\(found)', the central directory '\(member)'")
        }
        guard method == entry.method.rawValue else {
            throw ZipError.sizeMismatch(
                member: member, field: "compression method", expected: UInt64(entry.method.rawValue),
                found: UInt64(method), source: "local header")
        }
        let descriptor = (localFlags | entry.flags) & ZipFlags.dataDescriptor != 0
        let extra = Array(variable[nameLength...])

        var compressed = UInt64(compressed32)
        var uncompressed = UInt64(uncompressed32)
        if uncompressed32 == 0xFFFF_FFFF || compressed32 == 0xFFFF_FFFF,
            let zip64 = try ExtraField.find(zip64ExtraID, in: extra, member: member)
        {
            var reader = Zip64ExtraReader(data: zip64)
            if uncompressed32 == 0xFFFF_FFFF {
                guard let value = reader.next64() else {
                    throw ZipError.corrupt(
                        member: member, detail: "local zip64 extra field lacks the uncompressed size")
                }
                uncompressed = value
            }
            if compressed32 == 0xFFFF_FFFF {
                guard let value = reader.next64() else {
                    throw ZipError.corrupt(
                        member: member, detail: "local zip64 extra field lacks the compressed size")
                }
                compressed = value
            }
        }
        if descriptor {
            // Sizes and CRC follow the data; the local header holds zeros (or, rarely, the real values).
            if crc != 0, crc != entry.crc32 {
                throw mismatch("CRC-32", UInt64(entry.crc32), UInt64(crc))
            }
            if compressed != 0, compressed != entry.compressedSize {
                throw mismatch("compressed size", entry.compressedSize, compressed)
            }
            if uncompressed != 0, uncompressed != entry.uncompressedSize {
                throw mismatch("uncompressed size", entry.uncompressedSize, uncompressed)
            }
        } else {
            guard crc == entry.crc32 else { throw mismatch("CRC-32", UInt64(entry.crc32), UInt64(crc)) }
            guard compressed == entry.compressedSize else {
                throw mismatch("compressed size", entry.compressedSize, compressed)
            }
            guard uncompressed == entry.uncompressedSize else {
                throw mismatch("uncompressed size", entry.uncompressedSize, uncompressed)
            }
        }
        let headerLength = UInt64(ZipRecordSize.localFileHeader + variable.count)
        return LocalFileHeader(dataOffset: entry.localHeaderOffset + headerLength)

        func mismatch(_ field: String, _ expected: UInt64, _ found: UInt64) -> ZipError {
            ZipError.sizeMismatch(
                member: member, field: field, expected: expected, found: found, source: "local header"
            )
        }
    }

    /// Checks the data descriptor that follows a flag-bit-3 member's data (`bytes`, up to 24 bytes
    /// read from there) against the central directory. Accepts the four layouts in use: with or
    /// without the PK\7\8 signature, 32- or 64-bit sizes.
    static func checkDataDescriptor(entry: ZipEntry, bytes: [UInt8]) throws(ZipError) {
        func matches(at start: Int, wide: Bool) -> Bool {
            let length = wide ? 20 : 12
            guard bytes.count - start >= length else { return false }
            let crc = bytes.le32(at: start)
            let compressed = wide ? bytes.le64(at: start + 4) : UInt64(bytes.le32(at: start + 4))
            let uncompressed = wide ? bytes.le64(at: start + 12) : UInt64(bytes.le32(at: start + 8))
            return crc == entry.crc32 && compressed == entry.compressedSize && uncompressed == entry.uncompressedSize
        }
        let signed = bytes.count >= 4 && bytes.le32(at: 0) == ZipSignature.dataDescriptor
        if signed, matches(at: 4, wide: false) || matches(at: 4, wide: true) { return }
        if matches(at: 0, wide: false) || matches(at: 0, wide: true) { return }
        guard bytes.count >= 12 else {
            throw ZipError.truncated(
                member: entry.name,
                detail: "data descriptor after the member data is cut short (\(bytes.count) bytes)")
        }
        let start = signed ? 4 : 0
        let crc = bytes.le32(at: start)
        throw ZipError.corrupt(
            member: entry.name,
            detail: "data descriptor does not match the central directory (CRC 0x\(String(entry.crc32, radix: 16)), "
                + "compressed \(entry.compressedSize), uncompressed \(entry.uncompressedSize)); it starts with CRC "
                + "0x\(String(crc, radix: 16))")
    }
}
