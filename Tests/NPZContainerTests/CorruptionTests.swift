import Foundation
import NPYFormat
import Testing

@testable import NPZContainer

/// Damaged archives, made here by truncating, flipping bytes and hand-building headers, must give a
/// `ZipError` (or, for bytes no check covers, the original members) — never a crash or a hang.
@Suite struct CorruptionTests {
    static let smallFixtures = [
        "savez_compressed.npz", "positional.npz", "names.npz", "data_descriptor.npz",
        "data_descriptor_compressed.npz", "comment.npz",
    ]

    @Test(arguments: smallFixtures)
    func everyTruncationIsRefused(file: String) throws {
        let original = try readFile(TestPaths.fixture(file))
        let dir = try TemporaryDirectory()
        for length in 0..<original.count {
            let path = try dir.write(Array(original[0..<length]), to: "cut.npz")
            let error = expectZipError { _ = try readAllMembers(path) }
            #expect(error != nil, "\(file) cut to \(length) bytes")
        }
    }

    /// Flipping any one byte either leaves the members readable and unchanged (fields nothing depends
    /// on: timestamps, versions, attributes, the comment) or is reported as a ZipError.
    @Test(arguments: smallFixtures)
    func everyByteFlipIsRefusedOrHarmless(file: String) throws {
        let original = try readFile(TestPaths.fixture(file))
        let expected = try readAllMembers(TestPaths.fixture(file))
        let dir = try TemporaryDirectory()
        var refused = 0
        for position in 0..<original.count {
            var damaged = original
            damaged[position] ^= 0x5A
            let path = try dir.write(damaged, to: "flip.npz")
            do {
                let got = try readAllMembers(path, chunk: 1_000)
                #expect(got.map(\.0) == expected.map(\.0), "\(file) flip at \(position) changed names")
                #expect(got.map(\.1) == expected.map(\.1), "\(file) flip at \(position) changed bytes")
            } catch let error where isLocatedZipError(error) {
                refused += 1
            }
        }
        #expect(refused > original.count / 2)
    }

    /// Several random bytes overwritten at once, many times over (seeded, so a failure reproduces).
    @Test(arguments: ["savez_compressed.npz", "data_descriptor.npz", "comment.npz"])
    func randomMultiByteDamageIsRefusedOrHarmless(file: String) throws {
        let original = try readFile(TestPaths.fixture(file))
        let expected = try readAllMembers(TestPaths.fixture(file))
        let dir = try TemporaryDirectory()
        var noise = testBytes(count: 400 * 20, seed: 31)[...]
        // Every fourth round damages only the archive comment (or nothing, without one): what the
        // reader neither checks nor returns, so that round must read. The others must read or
        // throw a ZipError, and some of them must be refused.
        let comment = commentRange(of: original)
        var refused = 0
        for round in 0..<400 {
            var damaged = original
            let harmless = round % 4 == 0
            let hits = Int(noise.removeFirst() % 6) + 2
            for _ in 0..<hits {
                let draw = Int(noise.removeFirst()) << 8 | Int(noise.removeFirst())
                let value = noise.removeFirst()
                if harmless {
                    guard !comment.isEmpty else { continue }
                    damaged[comment.lowerBound + draw % comment.count] = value
                } else {
                    damaged[draw % damaged.count] = value
                }
            }
            let path = try dir.write(damaged, to: "noise.npz")
            do {
                let got = try readAllMembers(path, chunk: 4_096)
                #expect(got.map(\.0) == expected.map(\.0), "\(file) round \(round)")
                #expect(got.map(\.1) == expected.map(\.1), "\(file) round \(round)")
            } catch let error where isLocatedZipError(error) {
                #expect(!harmless, "\(file) round \(round): damage to nothing checked was refused: \(error)")
                refused += 1
            }
        }
        #expect(refused > 0, "\(file): no damage was ever refused")
    }

    /// The bytes of the archive comment: after the end-of-central-directory record whose
    /// comment length reaches the end of the file (empty when there is no comment).
    private func commentRange(of bytes: [UInt8]) -> Range<Int> {
        guard bytes.count >= 22 else { return 0..<0 }
        for start in stride(from: bytes.count - 22, through: 0, by: -1)
        where bytes[start] == 0x50 && bytes[start + 1] == 0x4B && bytes[start + 2] == 5 && bytes[start + 3] == 6 {
            let length = Int(bytes[start + 20]) | Int(bytes[start + 21]) << 8
            if start + 22 + length == bytes.count { return (start + 22)..<bytes.count }
        }
        return 0..<0
    }

    @Test func zip64ExtraMissingAValueIsRefused() throws {
        var member = RawZipMember.of("a.npy", [1, 2, 3])
        member.centralZip64Sizes = true
        var bytes = buildZip([member])
        let cd = bytes.offsets(ofSignature: 0x0201_4b50)[0]
        let extra = cd + 46 + 5
        #expect(bytes.readLE16(at: extra) == 1)
        bytes.setLE16(8, at: extra + 2)  // room for one size only; the rest becomes a bogus block
        let dir = try TemporaryDirectory()
        let path = try dir.write(bytes, to: "x.npz")
        guard case .corrupt? = expectZipError({ _ = try ZipArchiveReader(path: path) }) else {
            Issue.record("expected corrupt")
            return
        }
    }

    @Test func crcMismatchIsReportedOnTheReadThatReachesTheEnd() throws {
        let content = testBytes(count: 5_000, seed: 1)
        for deflate in [false, true] {
            var member = RawZipMember.of("a.npy", content, deflate: deflate)
            member.crc ^= 1
            let dir = try TemporaryDirectory()
            let path = try dir.write(buildZip([member]), to: "bad-crc.npz")
            let reader = try ZipArchiveReader(path: path)
            let source = try reader.openMember(reader.entries[0])
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            let error = expectZipError(in: path) { _ = try buffer.withUnsafeMutableBytes { try source.read(into: $0) } }
            #expect(
                error
                    == .crcMismatch(member: "a.npy", expected: crc32(content) ^ 1, found: crc32(content))
            )
            // Later reads keep failing rather than pretending the member ended cleanly.
            #expect(
                expectZipError(in: path) { _ = try buffer.withUnsafeMutableBytes { try source.read(into: $0) } }
                    == error)
        }
    }

    @Test func crcMismatchMessageNamesArchiveAndMember() {
        let error = FileError(
            path: "data/x.npz", underlying: ZipError.crcMismatch(member: "w.npy", expected: 0x1234, found: 0xABCD_EF01))
        #expect(
            error.description
                == "data/x.npz: member 'w.npy': CRC-32 mismatch: central directory says 0x00001234, data gives 0xabcdef01"
        )
    }

    @Test func allLocalHeaderShapesAreAccepted() throws {
        let content = testBytes(count: 3_000, seed: 2, runs: true)
        let shapes: [RawZipMember.LocalShape] = [
            .plain, .realSizesWithZip64, .ffffWithZip64,
            .dataDescriptor(zip64: true, signature: true), .dataDescriptor(zip64: false, signature: true),
            .dataDescriptor(zip64: false, signature: false), .dataDescriptor(zip64: true, signature: false),
        ]
        let dir = try TemporaryDirectory()
        for (i, shape) in shapes.enumerated() {
            for deflate in [false, true] {
                var members = [
                    RawZipMember.of("x.npy", content, deflate: deflate, shape: shape),
                    RawZipMember.of("dir/y.npy", Array(content.prefix(10)), deflate: deflate, shape: shape),
                ]
                members[1].centralZip64Sizes = true
                let path = try dir.write(buildZip(members), to: "shape\(i).npz")
                let got = try readAllMembers(path)
                #expect(got.map(\.0) == ["x.npy", "dir/y.npy"], "shape \(i) deflate \(deflate)")
                #expect(got.map(\.1) == [content, Array(content.prefix(10))], "shape \(i) deflate \(deflate)")
            }
        }
    }

    @Test func zip64EndRecordsAreFollowed() throws {
        let dir = try TemporaryDirectory()
        let members = [RawZipMember.of("a.npy", [1, 2, 3]), RawZipMember.of("b.npy", [4], deflate: true)]
        let path = try dir.write(buildZip(members, comment: Array("hi".utf8), forceZip64End: true), to: "z64.npz")
        let got = try readAllMembers(path)
        #expect(got.map(\.1) == [[1, 2, 3], [4]])
        #expect(try ZipArchiveReader(path: path).comment == Array("hi".utf8))
    }

    @Test func fakeEndRecordInsideTheCommentIsSkipped() throws {
        var comment = Array("x".utf8)
        comment.appendLE32(0x0605_4b50)
        comment += [UInt8](repeating: 0, count: 18) + Array("tail".utf8)
        let dir = try TemporaryDirectory()
        let path = try dir.write(buildZip([RawZipMember.of("a.npy", [9, 9])], comment: comment), to: "c.npz")
        let reader = try ZipArchiveReader(path: path)
        #expect(reader.comment == comment)
        #expect(try drain(reader.openMember(reader.entries[0])) == [9, 9])
    }

    @Test func sizesThatDisagreeWithTheLocalHeaderAreRefused() throws {
        let content = testBytes(count: 1_000, seed: 3)
        let dir = try TemporaryDirectory()
        var cases: [(RawZipMember, String)] = []
        var m = RawZipMember.of("a.npy", content)
        m.localUncompressedSize = 999
        m.localCompressedSize = 999
        cases.append((m, "compressed size"))
        m = RawZipMember.of("a.npy", content, deflate: true, shape: .ffffWithZip64)
        m.localUncompressedSize = 1_001
        cases.append((m, "uncompressed size"))
        m = RawZipMember.of("a.npy", content)
        m.localCRC = 7
        cases.append((m, "CRC-32"))
        m = RawZipMember.of("a.npy", content)
        m.localMethod = 8
        cases.append((m, "compression method"))
        for (member, field) in cases {
            let path = try dir.write(buildZip([member]), to: "m.npz")
            let error = expectZipError { _ = try readAllMembers(path) }
            guard case let .sizeMismatch(name, found, _, _, source)? = error else {
                Issue.record("expected sizeMismatch for \(field), got \(String(describing: error))")
                continue
            }
            #expect(name == "a.npy")
            #expect(found == field)
            #expect(source == "local header")
        }
    }

    @Test func storedSizesThatDisagreeAreRefused() throws {
        var m = RawZipMember.of("a.npy", [1, 2, 3, 4])
        m.uncompressedSize = 5
        m.localUncompressedSize = 5
        let dir = try TemporaryDirectory()
        let path = try dir.write(buildZip([m]), to: "s.npz")
        let error = expectZipError(in: path) { _ = try readAllMembers(path) }
        #expect(
            error
                == .sizeMismatch(
                    member: "a.npy", field: "stored size", expected: 5, found: 4,
                    source: "its compressed size"))
    }

    @Test func dataRunningIntoTheCentralDirectoryIsRefused() throws {
        var m = RawZipMember.of("a.npy", [1, 2, 3, 4])
        m.compressedSize = 400
        m.uncompressedSize = 400
        let dir = try TemporaryDirectory()
        let path = try dir.write(buildZip([m]), to: "s.npz")
        guard case .corrupt? = expectZipError({ _ = try readAllMembers(path) }) else {
            Issue.record("expected .corrupt")
            return
        }
    }

    @Test func decompressionBombStopsAtTheDeclaredSize() throws {
        let huge = [UInt8](repeating: 0, count: 4 << 20)
        var m = RawZipMember.of("bomb.npy", huge, deflate: true)
        m.uncompressedSize = 1_000
        m.crc = crc32(Array(huge.prefix(1_000)))
        let dir = try TemporaryDirectory()
        let path = try dir.write(buildZip([m]), to: "bomb.npz")
        let reader = try ZipArchiveReader(path: path)
        for chunk in [1, 999, 1_000, 1_001, 1 << 20] {
            let source = try reader.openMember(reader.entries[0])
            let error = expectZipError(in: path) { _ = try drain(source, chunk: chunk) }
            #expect(
                error == .inflatesPastDeclaredSize(member: "bomb.npy", declared: 1_000), "chunk \(chunk)"
            )
            #expect(source.bytesRead <= 1_000)
        }
    }

    @Test func inflateRatioAboveTheLimitIsRefusedBeforeInflating() throws {
        let content = [UInt8](repeating: 7, count: 1 << 20)
        var m = RawZipMember.of("r.npy", content, deflate: true)
        m.uncompressedSize = m.compressedSize * 2_000
        let dir = try TemporaryDirectory()
        let path = try dir.write(buildZip([m]), to: "ratio.npz")
        let error = expectZipError(in: path) { _ = try readAllMembers(path) }
        #expect(
            error
                == .inflateRatioExceeded(
                    member: "r.npy", compressed: m.compressedSize,
                    uncompressed: m.uncompressedSize, limit: 1_032))
        // With a higher limit the member opens, and then ends short of its declared size.
        var limits = ZipLimits.default
        limits.maxInflateRatio = 10_000
        guard
            case let .sizeMismatch(_, field, _, found, _)? = expectZipError({
                _ = try readAllMembers(path, limits: limits)
            })
        else {
            Issue.record("expected sizeMismatch")
            return
        }
        #expect(field == "uncompressed size")
        #expect(found == UInt64(content.count))
    }

    @Test func truncatedDeflateStreamIsReportedNotSpunOn() throws {
        let content = testBytes(count: 50_000, seed: 4)
        let packed = deflateRaw(content)
        let dir = try TemporaryDirectory()
        for cut in [1, 2, packed.count / 2, packed.count - 1] {
            var m = RawZipMember.of("t.npy", content, deflate: true)
            m.data = Array(packed.prefix(cut))
            m.compressedSize = UInt64(cut)
            var limits = ZipLimits.default
            limits.maxInflateRatio = .max
            let path = try dir.write(buildZip([m]), to: "t.npz")
            guard case let .truncated(_, detail)? = expectZipError({ _ = try readAllMembers(path, limits: limits) })
            else {
                Issue.record(
                    "cut \(cut): expected truncated, got \(String(describing: try? readAllMembers(path, limits: limits).count)) \(String(describing: expectZipError({ _ = try readAllMembers(path, limits: limits) })))"
                )
                continue
            }
            #expect(detail.contains("end before the deflate end-of-stream marker"), "cut \(cut): \(detail)")
        }
    }

    @Test func bytesAfterTheDeflateStreamEndAreRefused() throws {
        let content = testBytes(count: 10_000, seed: 5, runs: true)
        var m = RawZipMember.of("t.npy", content, deflate: true)
        m.data += [1, 2, 3]
        m.compressedSize += 3
        let dir = try TemporaryDirectory()
        let path = try dir.write(buildZip([m]), to: "t.npz")
        let error = expectZipError(in: path) { _ = try readAllMembers(path) }
        #expect(
            error
                == .sizeMismatch(
                    member: "t.npy", field: "compressed size", expected: m.compressedSize,
                    found: m.compressedSize - 3, source: "the deflate end-of-stream marker"))
    }

    @Test func corruptDeflateDataIsReported() throws {
        var m = RawZipMember.of("t.npy", testBytes(count: 10_000, seed: 6, runs: true), deflate: true)
        m.data[0] = 0xFF
        let dir = try TemporaryDirectory()
        let path = try dir.write(buildZip([m]), to: "t.npz")
        guard case .corruptDeflate? = expectZipError({ _ = try readAllMembers(path) }) else {
            Issue.record("expected corruptDeflate")
            return
        }
    }

    @Test func unsupportedMethodIsNamed() throws {
        var m = RawZipMember.of("b.npy", [1, 2, 3])
        m.method = 12
        let dir = try TemporaryDirectory()
        let path = try dir.write(buildZip([m]), to: "b.npz")
        let reader = try ZipArchiveReader(path: path)  // listing still works
        let error = expectLocatedZipError { _ = try reader.openMember(reader.entries[0]) }
        #expect(error?.underlying as? ZipError == .unsupportedMethod(member: "b.npy", method: ZipMethod(rawValue: 12)))
        #expect(
            error?.description
                == "\(path): member 'b.npy': unsupported compression method 12 (bzip2) (expected 0 stored or 8 deflate)"
        )
    }

    @Test func encryptedMemberIsRefused() throws {
        var m = RawZipMember.of("e.npy", [1, 2, 3])
        m.flags = 1
        let dir = try TemporaryDirectory()
        let path = try dir.write(buildZip([m]), to: "e.npz")
        let error = expectZipError(in: path) { _ = try readAllMembers(path) }
        #expect(error == .encrypted(member: "e.npy"))
    }

    @Test func dataDescriptorThatDisagreesIsRefused() throws {
        var m = RawZipMember.of("d.npy", [1, 2, 3], shape: .dataDescriptor(zip64: true, signature: true))
        m.localCRC = 99  // written into the descriptor
        let dir = try TemporaryDirectory()
        let path = try dir.write(buildZip([m]), to: "d.npz")
        guard case .corrupt? = expectZipError({ _ = try readAllMembers(path) }) else {
            Issue.record("expected corrupt")
            return
        }
    }

    @Test func notAZipArchiveIsMissingTheEndRecord() throws {
        let dir = try TemporaryDirectory()
        for bytes in [[], [UInt8](repeating: 0x50, count: 21), testBytes(count: 100_000, seed: 8)] {
            let path = try dir.write(bytes, to: "junk.npz")
            let error = expectZipError(in: path) { _ = try ZipArchiveReader(path: path) }
            #expect(error == .missingEndRecord(fileSize: UInt64(bytes.count)))
        }
        let missing = dir.path("absent.npz")
        guard case let .io(operation, _)? = expectZipError({ _ = try ZipArchiveReader(path: missing) }) else {
            Issue.record("expected io")
            return
        }
        #expect(operation == "open")
    }

    @Test func limitsAreEnforced() throws {
        let path = TestPaths.fixture("savez_stored.npz")
        var limits = ZipLimits.default
        limits.maxEntries = 6
        #expect(
            expectZipError(in: path) { _ = try ZipArchiveReader(path: path, limits: limits) }
                == .tooManyEntries(count: 7, limit: 6))
        limits = .default
        limits.maxCentralDirectorySize = 100
        guard case .centralDirectoryTooLarge? = expectZipError({ _ = try ZipArchiveReader(path: path, limits: limits) })
        else {
            Issue.record("expected centralDirectoryTooLarge")
            return
        }
        limits = .default
        limits.maxNameLength = 8
        #expect(
            expectZipError(in: path) { _ = try ZipArchiveReader(path: path, limits: limits) }
                == .nameTooLong(entryIndex: 0, length: 10, limit: 8))
    }

    @Test func entryCountBeyondTheCentralDirectoryIsRefused() throws {
        var bytes = buildZip([RawZipMember.of("a.npy", [1])])
        let eocd = bytes.count - 22
        bytes.setLE16(60_000, at: eocd + 8)
        bytes.setLE16(60_000, at: eocd + 10)
        let dir = try TemporaryDirectory()
        let path = try dir.write(bytes, to: "n.npz")
        guard case .corrupt? = expectZipError({ _ = try ZipArchiveReader(path: path) }) else {
            Issue.record("expected corrupt")
            return
        }
    }

    @Test func invalidUTF8NameIsRefused() throws {
        var bytes = buildZip([RawZipMember.of("ab.npy", [1])])
        let cd = bytes.offsets(ofSignature: 0x0201_4b50)[0]
        bytes.setLE16(1 << 11, at: cd + 8)
        bytes[cd + 46] = 0xFF
        let dir = try TemporaryDirectory()
        let path = try dir.write(bytes, to: "u.npz")
        guard case .invalidName? = expectZipError({ _ = try ZipArchiveReader(path: path) }) else {
            Issue.record("expected invalidName")
            return
        }
    }

    @Test func multiDiskArchivesAreRefused() throws {
        var bytes = buildZip([RawZipMember.of("a.npy", [1])])
        bytes.setLE16(1, at: bytes.count - 22 + 4)
        let dir = try TemporaryDirectory()
        let path = try dir.write(bytes, to: "d.npz")
        guard case .unsupportedFeature? = expectZipError({ _ = try ZipArchiveReader(path: path) }) else {
            Issue.record("expected unsupportedFeature")
            return
        }
    }

    @Test func emptyDeflatedMemberWithNoDataIsNotSpunOn() throws {
        var m = RawZipMember.of("z.npy", [], deflate: true)
        m.data = []
        m.compressedSize = 0
        let dir = try TemporaryDirectory()
        let path = try dir.write(buildZip([m]), to: "z.npz")
        guard case .truncated? = expectZipError({ _ = try readAllMembers(path) }) else {
            Issue.record("expected truncated")
            return
        }
    }
}
