@testable import NPZContainer

/// Hand-built zip archives for the shapes and corruptions real writers produce (test-only).
struct RawZipMember {
    /// How the local header records CRC and sizes.
    enum LocalShape {
        /// 32-bit sizes, no extra field (old NumPy, most writers).
        case plain
        /// Real 32-bit sizes plus a zip64 extra field with them too (NumPy on older Pythons).
        case realSizesWithZip64
        /// 0xFFFFFFFF sizes with the real ones in the zip64 extra field (NumPy on Python >= 3.8ish).
        case ffffWithZip64
        /// Flag bit 3: zeros in the local header, a data descriptor after the data.
        case dataDescriptor(zip64: Bool, signature: Bool)
    }

    var name: String
    var method: UInt16 = 0
    var flags: UInt16 = 0
    /// The bytes as stored in the archive (already deflated for method 8).
    var data: [UInt8]
    var crc: UInt32
    var compressedSize: UInt64
    var uncompressedSize: UInt64
    var localShape: LocalShape = .plain
    /// Put both sizes in a zip64 extra field of the central directory entry.
    var centralZip64Sizes = false
    /// Override what the local header says.
    var localCRC: UInt32?
    var localCompressedSize: UInt64?
    var localUncompressedSize: UInt64?
    var localMethod: UInt16?

    /// A member whose headers truthfully describe `content` stored (method 0) or deflated (method 8).
    static func of(
        _ name: String, _ content: [UInt8], deflate: Bool = false, shape: LocalShape = .plain
    ) -> RawZipMember {
        let data = deflate ? deflateRaw(content) : content
        var member = RawZipMember(
            name: name, method: deflate ? 8 : 0, data: data, crc: crc32(content),
            compressedSize: UInt64(data.count), uncompressedSize: UInt64(content.count))
        member.localShape = shape
        if case .dataDescriptor = shape { member.flags |= 8 }
        return member
    }
}

func crc32(_ bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBytes { CRC32.checksum($0) }
}

/// Raw deflate of `bytes` at `level` in one go.
func deflateRaw(_ bytes: [UInt8], level: Int = 6) -> [UInt8] {
    // Force-unwrap is fine in a test helper: zlib init only fails on bad parameters.
    let stream = try! DeflateStream(level: level)
    var out = [UInt8](repeating: 0, count: bytes.count + bytes.count / 100 + 1_024)
    var produced = 0
    var consumed = 0
    var ended = false
    bytes.withUnsafeBytes { input in
        out.withUnsafeMutableBytes { output in
            while !ended {
                let p = try! stream.process(
                    UnsafeRawBufferPointer(rebasing: input[consumed...]),
                    into: UnsafeMutableRawBufferPointer(rebasing: output[produced...]), flush: .finish)
                consumed += p.consumed
                produced += p.produced
                ended = p.streamEnded
            }
        }
    }
    return Array(out[0..<produced])
}

func buildZip(_ members: [RawZipMember], comment: [UInt8] = [], forceZip64End: Bool = false) -> [UInt8] {
    var out: [UInt8] = []
    var offsets: [UInt64] = []
    for m in members {
        offsets.append(UInt64(out.count))
        let name = Array(m.name.utf8)
        var extra: [UInt8] = []
        var crc = m.localCRC ?? m.crc
        var c = m.localCompressedSize ?? m.compressedSize
        var u = m.localUncompressedSize ?? m.uncompressedSize
        var c32 = UInt32(truncatingIfNeeded: c)
        var u32 = UInt32(truncatingIfNeeded: u)
        var descriptor: [UInt8] = []
        switch m.localShape {
        case .plain:
            break
        case .realSizesWithZip64:
            extra.appendLE16(1); extra.appendLE16(16); extra.appendLE64(u); extra.appendLE64(c)
        case .ffffWithZip64:
            extra.appendLE16(1); extra.appendLE16(16); extra.appendLE64(u); extra.appendLE64(c)
            c32 = 0xFFFF_FFFF; u32 = 0xFFFF_FFFF
        case let .dataDescriptor(zip64, signature):
            if signature { descriptor.appendLE32(0x0807_4b50) }
            descriptor.appendLE32(crc)
            if zip64 {
                descriptor.appendLE64(c); descriptor.appendLE64(u)
                extra.appendLE16(1); extra.appendLE16(16); extra.appendLE64(0); extra.appendLE64(0)
                c32 = 0xFFFF_FFFF; u32 = 0xFFFF_FFFF
            } else {
                descriptor.appendLE32(UInt32(truncatingIfNeeded: c));
                descriptor.appendLE32(UInt32(truncatingIfNeeded: u))
                c32 = 0; u32 = 0
            }
            crc = 0; c = 0; u = 0
        }
        out.appendLE32(0x0403_4b50)
        out.appendLE16(45)
        out.appendLE16(m.flags)
        out.appendLE16(m.localMethod ?? m.method)
        out.appendLE16(0); out.appendLE16(0x21)
        out.appendLE32(crc)
        out.appendLE32(c32)
        out.appendLE32(u32)
        out.appendLE16(UInt16(name.count))
        out.appendLE16(UInt16(extra.count))
        out += name
        out += extra
        out += m.data
        out += descriptor
    }
    let cdOffset = UInt64(out.count)
    for (m, offset) in zip(members, offsets) {
        let name = Array(m.name.utf8)
        var extra: [UInt8] = []
        var c32 = UInt32(truncatingIfNeeded: m.compressedSize)
        var u32 = UInt32(truncatingIfNeeded: m.uncompressedSize)
        if m.centralZip64Sizes {
            extra.appendLE16(1); extra.appendLE16(16); extra.appendLE64(m.uncompressedSize);
            extra.appendLE64(m.compressedSize)
            c32 = 0xFFFF_FFFF; u32 = 0xFFFF_FFFF
        }
        out.appendLE32(0x0201_4b50)
        out.appendLE16(3 << 8 | 45)
        out.appendLE16(45)
        out.appendLE16(m.flags)
        out.appendLE16(m.method)
        out.appendLE16(0); out.appendLE16(0x21)
        out.appendLE32(m.crc)
        out.appendLE32(c32)
        out.appendLE32(u32)
        out.appendLE16(UInt16(name.count))
        out.appendLE16(UInt16(extra.count))
        out.appendLE16(0); out.appendLE16(0); out.appendLE16(0)
        out.appendLE32(0o600 << 16)
        out.appendLE32(UInt32(offset))
        out += name
        out += extra
    }
    let cdSize = UInt64(out.count) - cdOffset
    out += ZipHeaderEncoder.endRecords(
        entryCount: members.count, directoryOffset: forceZip64End ? UInt64(1) << 32 : cdOffset,
        directorySize: cdSize, comment: comment)
    if forceZip64End {
        // Point the zip64 record at the real offset while the classic record says 0xFFFFFFFF.
        let record = out.count - 22 - comment.count - 20 - 56
        out.storeLE64(cdOffset, at: record + 48)
        out.storeLE64(cdOffset + cdSize, at: record + 56 + 8)
    }
    return out
}
