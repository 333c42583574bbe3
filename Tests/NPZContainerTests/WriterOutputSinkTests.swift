import Foundation
import NPYStream
import Testing

@testable import NPZContainer

/// An `OutputSink` that records every write, to check that the zip writer sends each byte once.
private final class RecordingSink: OutputSink, @unchecked Sendable {
    let name = "recorded.npz"
    var bytes: [UInt8] = []
    var timesWritten: [UInt8] = []
    var length = 0

    func write(_ chunk: UnsafeRawBufferPointer, at offset: Int) throws {
        if bytes.count < offset + chunk.count {
            bytes += [UInt8](repeating: 0, count: offset + chunk.count - bytes.count)
            timesWritten += [UInt8](repeating: 0, count: offset + chunk.count - timesWritten.count)
        }
        for (i, byte) in chunk.enumerated() {
            bytes[offset + i] = byte
            timesWritten[offset + i] &+= 1
        }
    }

    func setLength(_ length: Int) throws { self.length = length }
    var descriptorForKernelCopy: FileDescriptor? { nil }
}

private func write(
    _ writer: ZipArchiveWriter, _ members: [(String, [UInt8])], method: ZipWriteMethod,
    chunk: Int = 1 << 16, comment: [UInt8] = []
) throws {
    for (name, bytes) in members {
        let sink = try writer.beginMember(name: name, method: method)
        var start = 0
        repeat {
            let end = min(bytes.count, start + chunk)
            try bytes[start..<end].withUnsafeBytes { try sink.write($0) }
            start = end
        } while start < bytes.count
        try writer.finishMember()
    }
    try writer.finish(comment: comment)
}

@Suite struct WriterOutputSinkTests {
    private let members: [(String, [UInt8])] = [
        // bigger than the 1 MiB buffer: its header is flushed before its patch
        ("a.npy", testBytes(count: 3_000_000, seed: 1)),
        ("empty.npy", []),
        ("b.npy", testBytes(count: 5_000, seed: 2, runs: true)),
    ]

    /// Through any sink the archive is the file's bytes, each sent exactly once (a local header
    /// only once patched), and the length is set to the archive's.
    @Test(arguments: [ZipWriteMethod.stored, .deflated(level: 6)])
    func everyByteReachesTheSinkOnce(method: ZipWriteMethod) throws {
        let dir = try TemporaryDirectory()
        try writeArchive(dir.path("file.npz"), members, method: method, chunk: 70_000)
        let recording = RecordingSink()
        try write(ZipArchiveWriter(sink: recording), members, method: method, chunk: 70_000)
        let file = try readFile(dir.path("file.npz"))
        #expect(recording.bytes == file)
        #expect(recording.length == file.count)
        #expect(recording.timesWritten.allSatisfy { $0 == 1 })
    }

    /// A content-comparing writer finds no difference with the same members deflated at another
    /// level (other deflate bytes, same content), and names the member and offset of a changed byte.
    @Test func comparesArchivesByContent() throws {
        let dir = try TemporaryDirectory()
        let existing = dir.path("existing.npz")
        try writeArchive(existing, members, method: .deflated(level: 9), comment: [1, 2])

        let same = ZipArchiveWriter(comparingContentOf: try ZipArchiveReader(path: existing), name: "out.npz")
        #expect(same.comparesContent)
        try write(same, members, method: .deflated(level: 1), chunk: 123_457, comment: [1, 2])
        #expect(same.contentDifference == nil)

        var changed = members
        changed[0].1[2_500_000] ^= 1
        let differs = ZipArchiveWriter(comparingContentOf: try ZipArchiveReader(path: existing), name: "out.npz")
        try write(differs, changed, method: .deflated(level: 1), comment: [1, 2])
        #expect(
            differs.contentDifference?.hasPrefix("member 'a.npy' has CRC-32 ") == true,
            "\(differs.contentDifference ?? "nil")")

        let stored = ZipArchiveWriter(comparingContentOf: try ZipArchiveReader(path: existing), name: "out.npz")
        try write(stored, members, method: .stored, comment: [1, 2])
        #expect(stored.contentDifference == "member 'a.npy' uses method 8 (deflate), re-derived 0 (stored)")

        let fewer = ZipArchiveWriter(comparingContentOf: try ZipArchiveReader(path: existing), name: "out.npz")
        try write(fewer, Array(members.dropLast()), method: .deflated(level: 1), comment: [1, 2])
        #expect(fewer.contentDifference == "3 members, re-derived 2")

        let comment = ZipArchiveWriter(comparingContentOf: try ZipArchiveReader(path: existing), name: "out.npz")
        try write(comment, members, method: .deflated(level: 1))
        #expect(comment.contentDifference == "archive comment differs from the re-derived one")
    }

    /// With the CRC-32 and size left equal (a damaged existing member inflating to other bytes is
    /// what this stands for), the content itself is compared as it streams: the first differing
    /// offset is named (the member is longer than one read, so its CRC-32 is not checked first).
    @Test func namesTheFirstDifferingByteOfAMember() throws {
        let dir = try TemporaryDirectory()
        let existing = dir.path("existing.npz")
        var theirs = members
        theirs[0].1[4_321] ^= 0x10
        try writeArchive(existing, theirs, method: .stored)
        // Make the stored member's CRC-32 in both headers claim the re-derived value, so only the bytes differ.
        var bytes = try readFile(existing)
        let reader = try ZipArchiveReader(path: existing)
        let entry = reader.entries[0]
        let crc = members[0].1.withUnsafeBytes { CRC32.checksum($0) }
        for (signature, field) in [(UInt32(0x0403_4B50), 14), (UInt32(0x0201_4B50), 16)] {
            for offset in bytes.offsets(ofSignature: signature) where bytes.readLE32(at: offset + field) == entry.crc32
            {
                bytes.setLE32(crc, at: offset + field)
            }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: existing))
        let check = ZipArchiveWriter(comparingContentOf: try ZipArchiveReader(path: existing), name: "out.npz")
        try write(check, members, method: .stored, chunk: 1_000)
        #expect(check.contentDifference == "member 'a.npy' differs from the re-derived bytes at offset 4321")
    }
}
