import Foundation
import Testing

@testable import NPYStream

@Suite struct AtomicOutputFileTests {
    private func contents(_ directory: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted()
    }

    @Test func commitRenamesCompleteFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("out.npy")
        let output = try AtomicOutputFile(path: path)
        let temporaryName = URL(fileURLWithPath: output.temporaryPath).lastPathComponent
        #expect(temporaryName.hasPrefix(".npdrop-tmp-apply-\(getpid())-") && temporaryName.hasSuffix("-out.npy"))
        #expect(TemporaryName.parse(Array(temporaryName.utf8))?.tag == "apply")
        try [UInt8]([1, 2, 3]).withUnsafeBytes { try output.write($0) }
        #expect(try contents(directory) == [temporaryName])
        try output.commit()
        #expect(try contents(directory) == ["out.npy"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([1, 2, 3]))
    }

    @Test func commitReplacesAnExistingFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("out.npy")
        try Data([9, 9, 9, 9]).write(to: URL(fileURLWithPath: path))
        let output = try AtomicOutputFile(path: path)
        try [UInt8]([5]).withUnsafeBytes { try output.write($0) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([9, 9, 9, 9]))
        try output.commit(syncToDisk: false)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([5]))
    }

    @Test func discardAndReleaseLeaveNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let output = try AtomicOutputFile(path: directory.path("a.npy"))
        try [UInt8]([1]).withUnsafeBytes { try output.write($0) }
        output.discard()
        output.discard()
        #expect(try contents(directory) == [])
        do {
            let released = try AtomicOutputFile(path: directory.path("b.npy"))
            try [UInt8]([1]).withUnsafeBytes { try released.write($0) }
            #expect(try contents(directory).count == 1)
        }
        #expect(try contents(directory) == [])
    }

    @Test func missingDirectoryIsAnErrorNamingTheFile() {
        do {
            _ = try AtomicOutputFile(path: "/nonexistent-dir/out.npy")
            Issue.record("created")
        } catch {
            #expect("\(error)".hasPrefix("/nonexistent-dir/.npdrop-tmp-apply-"))
            #expect("\(error)".hasSuffix(": create failed: No such file or directory (errno 2)"))
        }
    }

    @Test func pathSplitting() {
        #expect(AtomicOutputFile.split("a/b/c.npy") == ("a/b/", "c.npy"))
        #expect(AtomicOutputFile.split("c.npy") == ("", "c.npy"))
        #expect(AtomicOutputFile.split("/c.npy") == ("/", "c.npy"))
    }
}
