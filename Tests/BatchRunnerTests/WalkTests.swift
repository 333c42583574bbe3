import Foundation
import Testing

@testable import BatchRunner

#if canImport(Glibc)
import Glibc
#endif

@Suite struct WalkTests {
    @Test func walksEveryNpyAndNpzInByteOrder() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let names = [
            "b.npy", "a/z.npz", "a-c.npy", "A.npy", "é.npy", ".hidden/x.npy", "sub/deeper/y.npy", "x.NPY",
            "a/.npy", "a b/c.npz",
        ]
        for name in names { scratch.write("in/" + name, [1, 2, 3]) }
        scratch.write("in/notes.txt", text: "ignored")
        scratch.write("in/a/x.npy.bak", text: "ignored")
        let locations = try RunLocations.resolve(
            input: scratch.sub("in"), output: scratch.sub("out"), createOutput: true)
        let walk = try InputWalker.walk(locations)
        let expected = [
            ".hidden/x.npy", "A.npy", "a b/c.npz", "a-c.npy", "a/.npy", "a/z.npz", "b.npy", "sub/deeper/y.npy", "x.NPY",
            "é.npy",
        ]
        #expect(walk.files.map(\.relativePath) == expected)
        #expect(walk.issues.isEmpty)
        #expect(walk.files.first { $0.relativePath == "a/z.npz" }?.kind == .npz)
        #expect(walk.files.first { $0.relativePath == "x.NPY" }?.kind == .npy)
        #expect(
            walk.files.allSatisfy { $0.byteCount == 3 && $0.absolutePath == locations.input + "/" + $0.relativePath })
        // The same order Python gives with sorted(key=str.encode).
        if let out = try python("import sys; print('|'.join(sorted(sys.argv[1:], key=str.encode)))", arguments: names) {
            #expect(out == expected.joined(separator: "|") + "\n")
        }
    }

    /// `--resume` decides with the walk's own `stat` of each input: the modification time the
    /// walk keeps must be the file's, to the nanosecond (a file set to a known time, another
    /// left as written); a single-file INPUT leaves it to a `stat` later (nil).
    @Test func theWalkKeepsEachFilesModificationTime() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        scratch.write("in/a.npy", [1, 2])
        scratch.write("in/d/b.npz", [3])
        let times = [
            timespec(tv_sec: 1_234_567_890, tv_nsec: 123_456_789),
            timespec(tv_sec: 1_234_567_890, tv_nsec: 123_456_789),
        ]
        #expect(utimensat(AT_FDCWD, scratch.sub("in/d/b.npz"), times, 0) == 0)
        var info = stat()
        #expect(stat(scratch.sub("in/a.npy"), &info) == 0)
        let written = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        let locations = try RunLocations.resolve(
            input: scratch.sub("in"), output: scratch.sub("out"), createOutput: true)
        let walk = try InputWalker.walk(locations, keepModificationTimes: true)
        #expect(walk.files.map(\.relativePath) == ["a.npy", "d/b.npz"])
        #expect(walk.files.map(\.modificationTimeNanoseconds) == [written, 1_234_567_890_123_456_789])
        // Not kept unless asked for (a run that does not resume: no 8 bytes a file).
        #expect(try InputWalker.walk(locations).files.map(\.modificationTimeNanoseconds) == [nil, nil])
        let single = try InputWalker.walk(
            try RunLocations.resolve(input: scratch.sub("in/a.npy"), output: scratch.sub("out1"), createOutput: true),
            keepModificationTimes: true)
        #expect(single.files.map(\.modificationTimeNanoseconds) == [nil])
    }

    @Test func symlinksAndSpecialFilesAreSkippedAndReported() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        scratch.write("in/real.npy", [1])
        scratch.write("elsewhere/far.npy", [1])
        try FileManager.default.createSymbolicLink(
            atPath: scratch.sub("in/link.npy"), withDestinationPath: scratch.sub("in/real.npy"))
        try FileManager.default.createSymbolicLink(
            atPath: scratch.sub("in/linkdir"), withDestinationPath: scratch.sub("elsewhere"))
        try FileManager.default.createSymbolicLink(
            atPath: scratch.sub("in/notes"), withDestinationPath: scratch.sub("in/real.npy"))
        #expect(mkfifo(scratch.sub("in/pipe.npz"), 0o644) == 0)
        let locations = try RunLocations.resolve(
            input: scratch.sub("in"), output: scratch.sub("out"), createOutput: true)
        let walk = try InputWalker.walk(locations)
        #expect(walk.files.map(\.relativePath) == ["real.npy"])
        #expect(walk.issues.map(\.relativePath) == ["link.npy", "linkdir", "pipe.npz"])
        #expect(walk.issues.allSatisfy { !$0.isError })
        #expect(walk.issues[0].message == "symlink not followed; skipped")
        #expect(walk.issues[2].message == "not a regular file; skipped")
    }

    @Test func nonUTF8NamesAreErrors() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        scratch.write("in/ok.npy", [1])
        var raw = Array(scratch.sub("in/").utf8) + [0x62, 0xFF, 0x2E, 0x6E, 0x70, 0x79, 0]  // "b\xff.npy"
        let fd = raw.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                open($0, O_CREAT | O_WRONLY, 0o644)
            }
        }
        #expect(fd >= 0)
        close(fd)
        // "c\xfe.txt": not an input, ignored
        raw = Array(scratch.sub("in/").utf8) + [0x63, 0xFE, 0x2E, 0x74, 0x78, 0x74, 0]
        let other = raw.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                open($0, O_CREAT | O_WRONLY, 0o644)
            }
        }
        close(other)
        let locations = try RunLocations.resolve(
            input: scratch.sub("in"), output: scratch.sub("out"), createOutput: true)
        let walk = try InputWalker.walk(locations)
        #expect(walk.files.map(\.relativePath) == ["ok.npy"])
        #expect(walk.issues.count == 1)
        #expect(walk.issues.first?.isError == true)
        #expect(walk.issues.first?.relativePath == "b\u{FFFD}.npy")
        #expect(walk.issues.first?.message == "name is not valid UTF-8 (bytes 62 ff 2e 6e 70 79); rename it")
    }

    @Test func aSingleFileInputIsItsBaseName() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        scratch.write("in/deep/x.npz", [1, 2])
        let locations = try RunLocations.resolve(
            input: scratch.sub("in/deep/x.npz"), output: scratch.sub("in/out"), createOutput: true)
        #expect(!locations.inputIsDirectory)
        let walk = try InputWalker.walk(locations)
        #expect(walk.files.map(\.relativePath) == ["x.npz"])
        scratch.write("in/data.bin", [1])
        #expect(throws: RunnerError.usage("INPUT '\(scratch.sub("in/data.bin"))' is a file but not .npy or .npz")) {
            try RunLocations.resolve(input: scratch.sub("in/data.bin"), output: scratch.sub("out"), createOutput: true)
        }
    }

    @Test func outMayNotOverlapInput() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        scratch.write("in/sub/a.npy", [1])
        scratch.write("afile", [1])
        try FileManager.default.createSymbolicLink(
            atPath: scratch.sub("alias"), withDestinationPath: scratch.sub("in/sub"))
        let input = scratch.sub("in")
        let refused: [(String, String)] = [
            (input, "is INPUT itself"),
            (scratch.sub("in/"), "is INPUT itself"),
            (scratch.sub("in/out"), "is inside INPUT"),
            (scratch.sub("in/new/deeper"), "is inside INPUT"),
            (scratch.sub("alias/out"), "is inside INPUT"),  // through a symlink
            (scratch.sub("x/../in/sub"), "is inside INPUT"),  // through .. after a missing directory
            (scratch.path, "is inside OUT"),
            (scratch.sub("afile"), "is not a directory"),
        ]
        for (output, fragment) in refused {
            do {
                _ = try RunLocations.resolve(input: input, output: output, createOutput: true)
                Issue.record("accepted OUT \(output)")
            } catch let error as RunnerError {
                #expect(error.exitCode == 2)
                #expect(error.description.contains(fragment), "\(output): \(error)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.sub("in/new")))
        // The runner refuses before doing anything.
        let runner = BatchRun(
            options: testOptions(input, scratch.sub("in/out")), processor: FakeProcessor(),
            console: Captured().console())
        #expect(throws: RunnerError.self) { try runner.run() }
        #expect(!FileManager.default.fileExists(atPath: scratch.sub("in/out")))
        // A sibling is fine, and is created.
        let fine = try RunLocations.resolve(input: input, output: scratch.sub("in-out/x"), createOutput: true)
        #expect(fine.output == (try RunnerFS.realPath(scratch.sub("in-out/x"))))
    }

    @Test func safeRelativePaths() {
        for good in ["a", "a/b.npy", "é/x", ".hidden/x.npy", "a..b"] { #expect(RelativePath.isSafe(good), "\(good)") }
        for bad in ["", "/abs", "a/../b", "..", "./a", "a//b", "a/", "a/.", "a\u{0}b"] {
            #expect(!RelativePath.isSafe(bad), "\(bad)")
        }
    }

    @Test func leftoverTemporariesAreRecognised() {
        let name = TempNames.name(tag: TempNames.tag(forInput: "a/b.npy"), processID: 12, sequence: 3, base: "b.npy")
        #expect(name == ".npdrop-tmp-\(TempNames.tag(forInput: "a/b.npy"))-12-3-b.npy")
        #expect(TempNames.parse(Array(name.utf8))?.base == Array("b.npy".utf8))
        #expect(TempNames.parse(Array(".npdrop-tmp-manifest-1-2-manifest.jsonl".utf8))?.tag == "manifest")
        #expect(TempNames.parse(Array(".npdrop-tmp-xyz-1-2-b.npy".utf8)) == nil)
        #expect(TempNames.parse(Array("b.npy".utf8)) == nil)
        let long = TempNames.name(
            tag: "manifest", processID: 99999, sequence: 12345, base: String(repeating: "é", count: 200))
        #expect(long.utf8.count <= 255)
        #expect(InputWalker.kind(ofName: long) == nil)
    }
}
