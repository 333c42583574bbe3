import Foundation
import Testing

@testable import BatchRunner

#if canImport(Glibc)
import Glibc
#endif

/// Hostile file-system layouts, end to end through `BatchRun.run` (with the fake processor):
/// nothing is written outside OUT, no output overwrites another, npz member names never become
/// paths. Each test also checks that a directory outside both INPUT and OUT is left untouched.
@Suite struct RegressionTests {
    /// scratch/in, scratch/out and scratch/outside (with a sentinel file).
    struct Layout {
        let scratch = Scratch()
        var input: String { scratch.sub("in") }
        var output: String { scratch.sub("out") }
        var outside: String { scratch.sub("outside") }

        init() {
            scratch.write("outside/sentinel.npy", pattern(64, seed: 9))
        }

        /// The outside directory still holds only its sentinel, unchanged.
        func expectOutsideUntouched(sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(namesBelow(outside) == ["sentinel.npy"], sourceLocation: sourceLocation)
            #expect(readBytes(outside + "/sentinel.npy") == pattern(64, seed: 9), sourceLocation: sourceLocation)
        }

        func run(resume: Bool = false) throws -> (report: RunReport, captured: Captured) {
            var options = testOptions(input, output)
            options.resume = resume
            let captured = Captured()
            let report = try BatchRun(options: options, processor: FakeProcessor(), console: captured.console()).run()
            return (report, captured)
        }
    }

    /// Every entry below `root` as raw name bytes joined with "/", not following symlinks
    /// (Swift Strings would merge canonically equivalent names).
    static func entries(_ root: String, prefix: [UInt8] = []) -> [[UInt8]] {
        guard let list = try? RunnerFS.listDirectory(root) else { return [] }
        var result: [[UInt8]] = []
        for entry in list {
            let relative = prefix.isEmpty ? entry.name : prefix + [0x2F] + entry.name
            result.append(relative)
            if entry.kind == .directory {
                result += entries(root + "/" + String(decoding: entry.name, as: UTF8.self), prefix: relative)
            }
        }
        return result.sorted { $0.lexicographicallyPrecedes($1) }
    }

    static func symlink(_ target: String, at path: String) {
        #expect(Glibc.symlink(target, path) == 0, "symlink \(path)")
    }

    @Test func symlinksPointingOutsideInputAreNotFollowed() throws {
        let layout = Layout()
        defer { layout.scratch.remove() }
        layout.scratch.write("in/ok.npy", pattern(10, seed: 1))
        layout.scratch.write("outside/dir/inner.npy", pattern(10, seed: 2))
        Self.symlink("../outside/sentinel.npy", at: layout.input + "/relative.npy")
        Self.symlink(layout.outside + "/sentinel.npy", at: layout.input + "/absolute.npy")
        Self.symlink("../outside/dir", at: layout.input + "/dirlink")
        Self.symlink("/nonexistent/x.npy", at: layout.input + "/dangling.npy")
        Self.symlink("../outside/sentinel.npy", at: layout.input + "/new\nline\u{1B}[2J.npy")
        try? FileManager.default.removeItem(atPath: layout.outside + "/dir")
        let (report, captured) = try layout.run()
        #expect(report.exitCode == 0)
        #expect(report.records.map(\.input) == ["ok.npy"])
        #expect(
            Self.entries(layout.output).map { String(decoding: $0, as: UTF8.self) }
                == ["data", "data/ok.npy", "manifest.jsonl", "masks", "masks/ok.npy"])
        // Every symlink is reported (other files are carried over, so none is silently left out).
        for name in ["absolute.npy", "dangling.npy", "dirlink", "relative.npy", "new line\\x1b[2J.npy"] {
            #expect(captured.errorLines.contains("npdrop: \(name): symlink not followed; skipped"), "\(name)")
        }
        // The name with a line break stays on one line: 5 skipped symlinks and the summary.
        #expect(captured.errorLines.count == 6, "\(captured.errorLines)")
        layout.expectOutsideUntouched()
    }

    /// A symlink planted inside an existing OUT (e.g. OUT/data/sub -> elsewhere) must not carry
    /// outputs out of OUT: the runner refuses to create outputs through it.
    @Test func symlinkedDirectoryInsideOutIsNotWrittenThrough() throws {
        let layout = Layout()
        defer { layout.scratch.remove() }
        layout.scratch.write("in/sub/x.npy", pattern(10, seed: 1))
        layout.scratch.write("in/top.npy", pattern(10, seed: 2))
        try FileManager.default.createDirectory(atPath: layout.output + "/data", withIntermediateDirectories: true)
        Self.symlink("../../outside", at: layout.output + "/data/sub")
        // OUT already holds data/: only --resume (or --overwrite) may run into it.
        let (report, _) = try layout.run(resume: true)
        layout.expectOutsideUntouched()
        #expect(report.exitCode == 1)
        let failed = try #require(report.records.first { $0.input == "sub/x.npy" })
        #expect(failed.status == .error)
        #expect(
            failed.error
                == "sub/x.npy: '\(layout.output)/data/sub': is a symlink; outputs are never written through symlinks",
            "\(failed.error ?? "-")")
        // The other file is unaffected.
        #expect(report.records.first { $0.input == "top.npy" }?.status == .ok)
    }

    /// An existing symlink at an output's final name is replaced by the output, never written through.
    @Test func symlinkAtAnOutputNameIsReplacedNotFollowed() throws {
        let layout = Layout()
        defer { layout.scratch.remove() }
        layout.scratch.write("in/x.npy", pattern(10, seed: 1))
        try FileManager.default.createDirectory(atPath: layout.output + "/data", withIntermediateDirectories: true)
        Self.symlink(layout.outside + "/sentinel.npy", at: layout.output + "/data/x.npy")
        let (report, _) = try layout.run(resume: true)
        #expect(report.exitCode == 0)
        layout.expectOutsideUntouched()
        #expect(try RunnerFS.entryKind(layout.output + "/data/x.npy", followLinks: false) == .regular(byteCount: 10))
    }

    /// Names that Swift's String equality merges (NFC and NFD é) or that differ only in case are
    /// distinct files on Linux: each gets its own output and record, none overwrites another.
    @Test func namesThatLookAlikeGetTheirOwnOutputs() throws {
        let layout = Layout()
        defer { layout.scratch.remove() }
        let names = [
            "\u{E9}.npy", "e\u{301}.npy", "x.npy", "x.NPY", "..npy", ".../y.npy", "a\nb.npy", "back\\slash.npy",
        ]
        for (index, name) in names.enumerated() {
            layout.scratch.write("in/" + name, pattern(10 + index, seed: UInt8(index)))
        }
        #expect(Self.entries(layout.input).filter { $0.count > 3 }.count >= names.count)
        let (report, _) = try layout.run()
        #expect(report.exitCode == 0)
        #expect(report.records.count == names.count)
        let outputs = Self.entries(layout.output + "/data").filter { $0 != Array("...".utf8) }
        #expect(Set(outputs) == Set(names.map { Array($0.utf8) }))
        // Every output has its own input's length: nothing was overwritten by a look-alike.
        for (index, name) in names.enumerated() {
            #expect(readBytes(layout.output + "/data/" + name)?.count == 10 + index, "\(name)")
        }
        layout.expectOutsideUntouched()
    }

    @Test func namesThatAreNotUTF8AreErrorsAndWriteNothing() throws {
        let layout = Layout()
        defer { layout.scratch.remove() }
        layout.scratch.write("in/ok.npy", pattern(10, seed: 1))
        // Raw bytes 0xFF 0xFE in a file name and in a directory name.
        let badFile = Array(layout.input.utf8) + Array("/bad".utf8) + [0xFF, 0xFE] + Array(".npy".utf8)
        let badDirectory = Array(layout.input.utf8) + Array("/dir".utf8) + [0xC3, 0x28]
        for path in [badFile, badDirectory] {
            let terminated = path + [0]
            if path == badDirectory {
                #expect(
                    terminated.withUnsafeBytes { mkdir($0.baseAddress!.assumingMemoryBound(to: CChar.self), 0o755) }
                        == 0 || errno == EEXIST)
            } else {
                let fd = terminated.withUnsafeBytes {
                    open($0.baseAddress!.assumingMemoryBound(to: CChar.self), O_WRONLY | O_CREAT, 0o644)
                }
                #expect(fd >= 0)
                close(fd)
            }
        }
        let inner = badDirectory + Array("/inner.npy".utf8) + [0]
        let fd = inner.withUnsafeBytes {
            open($0.baseAddress!.assumingMemoryBound(to: CChar.self), O_WRONLY | O_CREAT, 0o644)
        }
        #expect(fd >= 0)
        close(fd)

        let (report, captured) = try layout.run()
        #expect(report.exitCode == 1)
        #expect(report.records.filter { $0.status == .error }.count == 2)
        #expect(report.records.first { $0.input == "ok.npy" }?.status == .ok)
        #expect(Self.entries(layout.output + "/data").map { String(decoding: $0, as: UTF8.self) } == ["ok.npy"])
        #expect(
            captured.errorLines.contains { $0.contains("name is not valid UTF-8 (bytes 62 61 64 ff fe 2e 6e 70 79)") })
        layout.expectOutsideUntouched()
    }

    /// npz member names go into zip entries and records only, never into file-system paths.
    @Test func npzMemberNamesAreNeverPaths() throws {
        let layout = Layout()
        defer { layout.scratch.remove() }
        let members = ["../../outside/evil.npy", "/tmp/abs.npy", "a/../../../b.npy", "dir/x.npy", "..", "\u{0}.npy"]
        layout.scratch.write("in/z.npz", text: members.joined(separator: "\n") + "\n")
        let (report, _) = try layout.run()
        #expect(report.exitCode == 0)
        #expect(
            report.records.map { $0.member ?? "-" } == members.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(report.records.allSatisfy { $0.output == "data/z.npz" && $0.mask == "masks/z.npz" })
        #expect(report.records.allSatisfy { $0.outputMember == $0.member && $0.maskMember == $0.member })
        #expect(
            Self.entries(layout.output).map { String(decoding: $0, as: UTF8.self) }
                == ["data", "data/z.npz", "manifest.jsonl", "masks", "masks/z.npz"])
        layout.expectOutsideUntouched()
    }

    /// A manifest edited to point outside OUT is never followed by `--resume`: the records do not
    /// match what the run would write, so the file is redone, under OUT.
    @Test func tamperedManifestPathsAreNotFollowedOnResume() throws {
        let layout = Layout()
        defer { layout.scratch.remove() }
        layout.scratch.write("in/x.npy", pattern(10, seed: 1))
        _ = try layout.run()
        let manifest = layout.output + "/manifest.jsonl"
        let original = String(decoding: try #require(readBytes(manifest)), as: UTF8.self)
        for target in ["../outside/sentinel.npy", layout.outside + "/sentinel.npy"] {
            let tampered = original.replacingOccurrences(of: "\"data/x.npy\"", with: "\"" + target + "\"")
                .replacingOccurrences(of: "\"masks/x.npy\"", with: "\"" + target + "\"")
            #expect(tampered != original)
            try Data(tampered.utf8).write(to: URL(fileURLWithPath: manifest))
            try FileManager.default.removeItem(atPath: layout.output + "/data/x.npy")
            let (report, _) = try layout.run(resume: true)
            #expect(report.records.map(\.output) == ["data/x.npy"])
            #expect(readBytes(layout.output + "/data/x.npy")?.count == 10)
            layout.expectOutsideUntouched()
        }
    }
}

extension RegressionTests {
    /// Creates `components` nested directories below `root` with `mkdirat` (paths longer than
    /// PATH_MAX cannot be made with one path) and a file `name` in the deepest; returns its depth
    /// path relative to `root`.
    static func makeDeepFile(under root: String, components: [String], name: String, bytes: [UInt8]) -> String {
        var fd = open(root, O_RDONLY | O_DIRECTORY)
        #expect(fd >= 0)
        for component in components {
            #expect(mkdirat(fd, component, 0o755) == 0 || errno == EEXIST)
            let next = openat(fd, component, O_RDONLY | O_DIRECTORY)
            #expect(next >= 0, "openat \(component)")
            close(fd)
            fd = next
        }
        let file = openat(fd, name, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(file >= 0)
        _ = bytes.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
        close(file)
        close(fd)
        return (components + [name]).joined(separator: "/")
    }

    /// Path length: an input whose mirrored output path is longer than PATH_MAX (4096 bytes) fails
    /// alone with a message naming it; a directory too deep to list is an error record; the other
    /// files are processed, nothing is written outside OUT.
    @Test func pathsLongerThanPathMaxFailAloneWithTheirName() throws {
        let layout = Layout()
        defer { layout.scratch.remove() }
        layout.scratch.write("in/ok.npy", pattern(10, seed: 1))
        // Input path about 3,900 bytes: readable; OUT/data/<relpath> is longer than 4,096.
        let inputPrefix = layout.input.utf8.count
        let component = String(repeating: "d", count: 200)
        let count = (3_900 - inputPrefix) / 201
        let deep = Self.makeDeepFile(
            under: layout.input, components: Array(repeating: component, count: count),
            name: "x.npy", bytes: pattern(10, seed: 2))
        // A second branch deeper than PATH_MAX: it cannot even be listed.
        let tooDeep = Self.makeDeepFile(
            under: layout.input, components: Array(repeating: String(repeating: "e", count: 200), count: 22),
            name: "y.npy", bytes: pattern(10, seed: 3))
        // OUT is deeper than INPUT, so the mirrored path grows by the difference.
        let output = layout.scratch.sub(String(repeating: "o", count: 250) + "/" + String(repeating: "p", count: 250))
        var options = testOptions(layout.input, output)
        options.jobs = 1
        let captured = Captured()
        let report = try BatchRun(options: options, processor: FakeProcessor(), console: captured.console()).run()
        #expect(report.exitCode == 1)
        #expect(report.records.first { $0.input == "ok.npy" }?.status == .ok)
        let failed = try #require(report.records.first { $0.input == deep })
        #expect(failed.status == .error)
        #expect(failed.error?.contains("File name too long") == true, "\(failed.error ?? "-")")
        #expect(
            captured.errorLines.contains {
                $0.hasPrefix("npdrop: error: \(deep): cannot create directory") && $0.contains("File name too long")
            },
            "\(captured.errorLines.map { String($0.prefix(60)) + "..." + String($0.suffix(80)) })")
        let unlisted = try #require(report.records.first { tooDeep.hasPrefix($0.input + "/") })
        #expect(
            unlisted.status == .error && unlisted.error?.contains("File name too long") == true,
            "\(unlisted.error ?? "-")")
        #expect(report.records.count == 3)
        layout.expectOutsideUntouched()
    }
}

/// Names of the regular files and directories below `root`, relative, sorted.
private func namesBelow(_ root: String) -> [String] {
    RegressionTests.entries(root).map { String(decoding: $0, as: UTF8.self) }
}
