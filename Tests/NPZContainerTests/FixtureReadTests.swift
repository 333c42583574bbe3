import Foundation
import NPDropTestSupport
import Testing

@testable import NPZContainer

/// One line of Fixtures/npz/MANIFEST.tsv (what Python's zipfile says about each member).
struct FixtureMember {
    var file: String
    var member: String
    var method: UInt16
    var flags: UInt16
    var compressedSize: UInt64
    var uncompressedSize: UInt64
    var crc: UInt32
    var sha256: String

    static let all: [FixtureMember] = {
        let text = (try? String(contentsOfFile: TestPaths.fixture("MANIFEST.tsv"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 8, let method = UInt16(f[2]), let flags = UInt16(f[3]), let c = UInt64(f[4]),
                let u = UInt64(f[5]), let crc = UInt32(f[6], radix: 16)
            else { return nil }
            return FixtureMember(
                file: f[0], member: f[1], method: method, flags: flags, compressedSize: c, uncompressedSize: u,
                crc: crc, sha256: f[7])
        }
    }()

    static var files: [String] { Array(Set(all.map(\.file))).sorted() }
}

@Suite struct FixtureReadTests {
    @Test func manifestListsEveryFixture() {
        #expect(FixtureMember.files.count == 9)  // empty.npz has no members, hence no line
        #expect(FixtureMember.all.count > 1_600)
    }

    @Test(arguments: FixtureMember.files)
    func entriesMatchWhatPythonReports(file: String) throws {
        let expected = FixtureMember.all.filter { $0.file == file }
        let reader = try ZipArchiveReader(path: TestPaths.fixture(file))
        #expect(reader.entries.map(\.name) == expected.map(\.member))
        for (entry, want) in zip(reader.entries, expected) {
            #expect(entry.method.rawValue == want.method)
            #expect(entry.flags == want.flags)
            #expect(entry.compressedSize == want.compressedSize)
            #expect(entry.uncompressedSize == want.uncompressedSize)
            #expect(entry.crc32 == want.crc)
        }
    }

    @Test(arguments: FixtureMember.files)
    func memberBytesMatchPythonsExtraction(file: String) throws {
        let expected = FixtureMember.all.filter { $0.file == file }
        let reader = try ZipArchiveReader(path: TestPaths.fixture(file))
        // Whole-buffer, odd-sized and one-byte reads must all give the same bytes.
        let chunks = expected.count > 100 ? [4_096] : [1, 7, 4_096, 1 << 20]
        for chunk in chunks {
            for (entry, want) in zip(reader.entries, expected) {
                let bytes = try drain(reader.openMember(entry), chunk: chunk)
                #expect(UInt64(bytes.count) == want.uncompressedSize, "\(file) \(entry.name) chunk \(chunk)")
                #expect(SHA256.hex(bytes) == want.sha256, "\(file) \(entry.name) chunk \(chunk)")
            }
        }
    }

    @Test func emptyArchiveHasNoEntries() throws {
        let reader = try ZipArchiveReader(path: TestPaths.fixture("empty.npz"))
        #expect(reader.entries.isEmpty)
        #expect(reader.comment.isEmpty)
    }

    @Test func nestedAndUnicodeNamesDecode() throws {
        let reader = try ZipArchiveReader(path: TestPaths.fixture("names.npz"))
        #expect(reader.entries.map(\.name) == ["group/sub/values.npy", "données.npy"])
        #expect(reader.entries[1].hasUTF8Name)
        #expect(!reader.entries[0].hasUTF8Name)
        #expect(try drain(reader.openMember(named: "données.npy")).count == 131)
        let missing = expectZipError(in: TestPaths.fixture("names.npz")) {
            _ = try reader.openMember(named: "nope.npy")
        }
        #expect(missing == .memberNotFound(member: "nope.npy"))
    }

    @Test func dataDescriptorMembersAreRead() throws {
        for file in ["data_descriptor.npz", "data_descriptor_compressed.npz"] {
            let reader = try ZipArchiveReader(path: TestPaths.fixture(file))
            #expect(reader.entries.count == 2)
            #expect(reader.entries.allSatisfy { $0.usesDataDescriptor })
            for entry in reader.entries {
                #expect(try drain(reader.openMember(entry)).count == Int(entry.uncompressedSize))
            }
        }
    }

    @Test func archiveCommentIsReturned() throws {
        let reader = try ZipArchiveReader(path: TestPaths.fixture("comment.npz"))
        #expect(
            String(decoding: reader.comment, as: UTF8.self) == "npdrop fixture: an archive comment after the end record"
        )
        #expect(reader.entries.map(\.name) == ["ints.npy", "floats.npy"])
    }

    @Test func manyMembersAreListedInOrder() throws {
        let reader = try ZipArchiveReader(path: TestPaths.fixture("many_members.npz"))
        #expect(reader.entries.count == 1_600)
        #expect(reader.entries.first?.name == "m0000.npy")
        #expect(reader.entries.last?.name == "m1599.npy")
    }

    @Test func sourcesOfOneArchiveCanBeReadInterleaved() throws {
        let reader = try ZipArchiveReader(path: TestPaths.fixture("savez_compressed.npz"))
        let sources = try reader.entries.map { try reader.openMember($0) }
        var outputs = [[UInt8]](repeating: [], count: sources.count)
        var buffer = [UInt8](repeating: 0, count: 100)
        var active = true
        while active {
            active = false
            for (i, source) in sources.enumerated() {
                let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                outputs[i] += buffer[0..<n]
                active = active || n > 0
            }
        }
        let expected = FixtureMember.all.filter { $0.file == "savez_compressed.npz" }
        #expect(outputs.map(SHA256.hex) == expected.map(\.sha256))
    }
}
