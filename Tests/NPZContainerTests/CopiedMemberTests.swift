import Foundation
import Testing

@testable import NPZContainer

/// `ZipArchiveWriter.beginCopiedMember` + `ZipMemberSource.storedDataTap`: members go across with
/// their stored bytes, and the copy is still checked end to end.
@Suite struct CopiedMemberTests {
    /// Copies every member of `input` into `output` through the tap, reading each to its end.
    private func copyAll(_ input: String, to output: String, chunk: Int = 4_096) throws {
        let reader = try ZipArchiveReader(path: input)
        let writer = try ZipArchiveWriter(path: output)
        for entry in reader.entries {
            let source = try reader.openMember(entry)
            let sink = try writer.beginCopiedMember(name: entry.name, copying: entry)
            source.storedDataTap = { (bytes) in try sink.write(bytes) }
            _ = try drain(source, chunk: chunk)
            try writer.finishMember()
        }
        try writer.finish(comment: reader.comment)
    }

    /// NumPy's archives, stored and deflated, copied member by member are the same file again.
    @Test(arguments: [
        "savez_stored.npz", "savez_compressed.npz", "positional_compressed.npz", "names.npz",
        "many_members.npz", "empty.npz",
    ])
    func copyingEveryMemberOfANumpyArchiveGivesTheSameFile(file: String) throws {
        let dir = try TemporaryDirectory()
        for chunk in [1, 4_096, 1 << 20] where chunk > 1 || file != "many_members.npz" {
            try copyAll(TestPaths.fixture(file), to: dir.path("copy.npz"), chunk: chunk)
            #expect(try readFile(dir.path("copy.npz")) == readFile(TestPaths.fixture(file)), "\(file) chunk \(chunk)")
        }
    }

    /// A deflated member copied from an archive written at level 9 keeps its bytes (it is not
    /// deflated again), and reads back to the same data.
    @Test func aDeflatedMemberKeepsItsCompressedBytes() throws {
        let dir = try TemporaryDirectory()
        let data = testBytes(count: 3_000_000, seed: 4, runs: true)
        try writeArchive(dir.path("in.npz"), [("a.npy", data)], method: .deflated(level: 9), chunk: 1 << 16)
        try copyAll(dir.path("in.npz"), to: dir.path("out.npz"))
        #expect(try readFile(dir.path("out.npz")) == readFile(dir.path("in.npz")))
        #expect(try readAllMembers(dir.path("out.npz")).map(\.1) == [data])
    }

    /// A member whose deflate data was altered is refused while it is copied (CRC or deflate
    /// error naming archive and member); the tap never turns a bad member into a good-looking one.
    @Test func aCorruptMemberFailsTheCopy() throws {
        let dir = try TemporaryDirectory()
        let data = testBytes(count: 200_000, seed: 9, runs: true)
        try writeArchive(dir.path("in.npz"), [("a.npy", data)], method: .deflated, chunk: 1 << 16)
        var bytes = try readFile(dir.path("in.npz"))
        // The member's data is nearly all of the file; its middle byte is deflate data.
        bytes[bytes.count / 2] ^= 0x5A
        let path = try dir.write(bytes, to: "bad.npz")
        let error = expectZipError { try copyAll(path, to: dir.path("out.npz")) }
        switch error {
        case .crcMismatch(let member, _, _)?, .corruptDeflate(let member, _)?,
            .inflatesPastDeclaredSize(let member, _)?,
            .sizeMismatch(let member, _, _, _, _)?:
            #expect(member == "a.npy")
        case .truncated(let member, _)?:
            #expect(member == "a.npy")
        default:
            Issue.record("expected a data error, got \(String(describing: error))")
        }
    }

    /// Writing more or fewer bytes than the entry's compressed size is refused.
    @Test func aCopiedMemberMustGetExactlyItsStoredBytes() throws {
        let dir = try TemporaryDirectory()
        try writeArchive(dir.path("in.npz"), [("a.npy", [1, 2, 3, 4])], method: .stored, chunk: 16)
        let entry = try #require(try ZipArchiveReader(path: dir.path("in.npz")).entries.first)
        let short = try ZipArchiveWriter(path: dir.path("short.npz"))
        let sink = try short.beginCopiedMember(name: "a.npy", copying: entry)
        try [UInt8]([1, 2, 3]).withUnsafeBytes { try sink.write($0) }
        guard case .sizeMismatch? = expectZipError({ try short.finishMember() }) else {
            Issue.record("expected sizeMismatch for a short copy")
            return
        }
        let long = try ZipArchiveWriter(path: dir.path("long.npz"))
        let longSink = try long.beginCopiedMember(name: "a.npy", copying: entry)
        guard
            case .sizeMismatch? = expectZipError({
                try [UInt8]([1, 2, 3, 4, 5]).withUnsafeBytes { try longSink.write($0) }
            })
        else {
            Issue.record("expected sizeMismatch for a long copy")
            return
        }
    }
}
