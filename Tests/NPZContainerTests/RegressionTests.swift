import NPYFormat
import NPYStream
import Testing

@testable import NPZContainer

/// Reproducers of fuzzing finds in the zip layer (`scripts/fuzz.sh npz`) and the messages of its
/// limits: each names the archive (and member) and the limit, on one line.
@Suite struct RegressionTests {
    /// A stored archive of one member `name` (code page 437 unless `utf8`), optionally with a wrong CRC.
    static func archive(name: [UInt8], content: [UInt8] = [1, 2, 3, 4], wrongCRC: Bool, utf8: Bool = false) -> [UInt8] {
        var member = RawZipMember.of("n", content)
        if wrongCRC { member.crc ^= 0xFFFF }
        if utf8 { member.flags |= 1 << 11 }
        var bytes = buildZip([member])
        // Put the raw name bytes in place of "n" in both headers (same length: patch, then grow).
        let local = bytes.offsets(ofSignature: 0x0403_4b50)[0]
        let central = bytes.offsets(ofSignature: 0x0201_4b50)[0]
        bytes.replaceSubrange((central + 46)..<(central + 47), with: name)
        bytes.setLE16(UInt16(name.count), at: central + 28)
        bytes.replaceSubrange((local + 30)..<(local + 31), with: name)
        bytes.setLE16(UInt16(name.count), at: local + 26)
        // Shift the central directory offset and size in the end record by the growth.
        let grow = name.count - 1
        let end = bytes.offsets(ofSignature: 0x0605_4b50).last!
        bytes.setLE32(bytes.readLE32(at: end + 12) + UInt32(grow), at: end + 12)
        bytes.setLE32(bytes.readLE32(at: end + 16) + UInt32(grow), at: end + 16)
        return bytes
    }

    /// Finding 3: a member name with a line break or terminal escape (any bytes are valid in a
    /// code page 437 name) was put raw into every message about the member.
    @Test func controlCharactersInMemberNamesAreEscaped() throws {
        let dir = try TemporaryDirectory()
        let name: [UInt8] = Array("a\nb".utf8) + [0x1B] + Array("[2J\r.npy".utf8)
        let path = try dir.write(Self.archive(name: name, wrongCRC: true), to: "names.npz")
        let reader = try ZipArchiveReader(path: path)
        #expect(reader.entries.map(\.rawName) == [name])
        let error = try #require(expectLocatedZipError { _ = try readAllMembers(path) })
        guard case .crcMismatch(let member, _, _)? = error.underlying as? ZipError else {
            Issue.record("expected crcMismatch, got \(error)")
            return
        }
        #expect(member == "a\nb\u{1B}[2J\r.npy")
        #expect(error.description.hasPrefix("\(path): member 'a\\x0ab\\x1b[2J\\x0d.npy': CRC-32 mismatch: "))

        // The same name through the npy layer, where FileError names the member the same way.
        let wrapped = FileError(path: path, member: member, underlying: NPYFormatError.badMagic(found: [1, 2, 3, 4]))
        #expect(wrapped.description.hasPrefix("\(path): member 'a\\x0ab\\x1b[2J\\x0d.npy': not an .npy file"))
    }

    /// Finding 3 (cont.): UTF-8 names (flag bit 11) may carry bidi overrides and line separators.
    @Test func unicodeControlsInUTF8NamesAreEscaped() throws {
        let dir = try TemporaryDirectory()
        let name = Array("x\u{202E}ypn.\u{2028}.npy".utf8)
        let path = try dir.write(Self.archive(name: name, wrongCRC: true, utf8: true), to: "bidi.npz")
        let error = try #require(expectLocatedZipError { _ = try readAllMembers(path) })
        #expect(error.description.hasPrefix("\(path): member 'x\\u{202e}ypn.\\u{2028}.npy': CRC-32 mismatch"))
    }

    /// The archive's own path is escaped too (file names in an input directory may hold any bytes).
    @Test func controlCharactersInTheArchivePathAreEscaped() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write([0x50, 0x4B, 0x03, 0x04], to: "bad\nname.npz")
        let error = try #require(expectLocatedZipError { _ = try ZipArchiveReader(path: path) })
        #expect(!error.description.contains("\n"))
        #expect(error.description.hasPrefix(dir.path("bad\\x0aname.npz") + ": not a zip archive or truncated"))
    }

    // MARK: Limits, as messages

    @Test func entryCountLimitNamesArchiveAndLimit() throws {
        let path = TestPaths.fixture("savez_stored.npz")
        var limits = ZipLimits.default
        limits.maxEntries = 6
        let error = try #require(expectLocatedZipError { _ = try ZipArchiveReader(path: path, limits: limits) })
        #expect(error.description == "\(path): archive declares 7 entries, more than the limit of 6")
    }

    @Test func centralDirectorySizeLimitNamesArchiveAndLimit() throws {
        let path = TestPaths.fixture("savez_stored.npz")
        var limits = ZipLimits.default
        limits.maxCentralDirectorySize = 100
        let error = try #require(expectLocatedZipError { _ = try ZipArchiveReader(path: path, limits: limits) })
        #expect(error.description.hasPrefix("\(path): central directory is "))
        #expect(error.description.hasSuffix(" bytes, more than the limit of 100"))
    }

    @Test func nameLengthLimitNamesArchiveAndLimit() throws {
        // Default: 4,096 bytes; a 4,097-byte name is refused while reading the central directory.
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            Self.archive(name: [UInt8](repeating: 0x61, count: 4_097), wrongCRC: false), to: "long.npz")
        let error = try #require(expectLocatedZipError { _ = try ZipArchiveReader(path: path) })
        #expect(error.description == "\(path): entry #0 has a 4097-byte name, more than the limit of 4096")
        let fits = try dir.write(
            Self.archive(name: [UInt8](repeating: 0x61, count: 4_096), wrongCRC: false), to: "fits.npz")
        #expect(try readAllMembers(fits).map(\.1) == [[1, 2, 3, 4]])
    }

    @Test func inflateRatioLimitIsConfigurableAndNamed() throws {
        let content = [UInt8](repeating: 0, count: 100_000)
        let dir = try TemporaryDirectory()
        let path = try dir.write(buildZip([RawZipMember.of("z.npy", content, deflate: true)]), to: "ratio.npz")
        let compressed = try ZipArchiveReader(path: path).entries[0].compressedSize
        // Within the default (1032:1, deflate's maximum) it reads; a lower configured limit refuses it
        // before inflating anything.
        #expect(try readAllMembers(path).map(\.1) == [content])
        var limits = ZipLimits.default
        limits.maxInflateRatio = 10
        let error = try #require(expectLocatedZipError { _ = try readAllMembers(path, limits: limits) })
        #expect(
            error.description == "\(path): member 'z.npy': declared size 100000 from \(compressed) compressed "
                + "bytes exceeds the inflate-ratio limit of 10:1")
    }

    @Test func declaredSizesAgainstActualBytes() throws {
        let dir = try TemporaryDirectory()
        let content = [UInt8](repeating: 9, count: 5_000)
        // Declared smaller than what the deflate stream produces: stopped at the declared size + 1.
        var bomb = RawZipMember.of("bomb.npy", content, deflate: true)
        bomb.uncompressedSize = 1_000
        bomb.localUncompressedSize = 1_000
        let bombPath = try dir.write(buildZip([bomb]), to: "bomb.npz")
        #expect(
            expectLocatedZipError { _ = try readAllMembers(bombPath) }?.description
                == "\(bombPath): member 'bomb.npy': deflate data inflates past the declared size of 1000 bytes (stopped there)"
        )
        // Local header and central directory disagree.
        var liar = RawZipMember.of("liar.npy", [1, 2, 3])
        liar.localUncompressedSize = 4
        let liarPath = try dir.write(buildZip([liar]), to: "liar.npz")
        #expect(
            expectLocatedZipError { _ = try readAllMembers(liarPath) }?.description
                == "\(liarPath): member 'liar.npy': uncompressed size mismatch: central directory says 3, local header says 4"
        )
        // Declared data running past the central directory (the file is shorter than declared).
        var long = RawZipMember.of("long.npy", [1, 2, 3])
        long.compressedSize = 1_000_000
        long.uncompressedSize = 1_000_000
        long.localCompressedSize = 1_000_000
        long.localUncompressedSize = 1_000_000
        let longPath = try dir.write(buildZip([long]), to: "long-data.npz")
        let error = try #require(expectLocatedZipError { _ = try readAllMembers(longPath) })
        #expect(
            error.description.hasPrefix("\(longPath): member 'long.npy': corrupt zip: 1000000 bytes of data at offset"))
    }
}
