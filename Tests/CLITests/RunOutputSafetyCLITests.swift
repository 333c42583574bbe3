import Foundation
import Testing

/// `npdrop run` on an OUT that is busy, non-empty or unusable, and interrupted by a signal:
/// one run per OUT (shards of one set side by side), no silent replacement, clean stops.
@Suite struct RunOutputSafetyCLITests {
    private static let common = ["--rate", "0.5", "--seed", "7", "--quiet"]

    /// An input whose one file takes a while: a 64 MiB float32 array plus two small files.
    private func slowInput() throws -> ScratchDirectory {
        let input = try ScratchDirectory("in")
        let count = 16 << 20
        try input.write(
            NPYBytes.file(descr: "<f4", shape: [count], data: NPYBytes.bytes(count: count * 4, seed: 11)), to: "big.npy"
        )
        try input.write(
            NPYBytes.file(descr: "<f4", shape: [64], data: NPYBytes.float32(count: 64, seed: 1)), to: "a/x.npy")
        try input.write(
            NPYBytes.file(descr: "<f8", shape: [8, 3], data: NPYBytes.float32(count: 48, seed: 2)), to: "a/y.npy")
        return input
    }

    private func smallInput() throws -> ScratchDirectory {
        let input = try ScratchDirectory("in")
        try input.write(
            NPYBytes.file(descr: "<f4", shape: [64], data: NPYBytes.float32(count: 64, seed: 1)), to: "a/x.npy")
        try input.write(
            NPYBytes.file(descr: "<f8", shape: [8, 3], data: NPYBytes.float32(count: 48, seed: 2)), to: "a/y.npy")
        return input
    }

    /// Starts `npdrop arguments...` and returns it once `ready(out)` holds (polling), stopped
    /// with SIGSTOP when `stop` is true.
    private func start(_ arguments: [String], until ready: () -> Bool, stop: Bool) throws -> Process {
        let process = Process()
        process.executableURL = CLIRunner.executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while !ready() && process.isRunning && Date() < deadline { usleep(500) }
        if stop { kill(process.processIdentifier, SIGSTOP) }
        return process
    }

    private func finish(_ process: Process) -> Int32 {
        kill(process.processIdentifier, SIGCONT)
        process.waitUntilExit()
        return process.terminationStatus
    }

    private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// True once the lock file at `path` is held: its holder writes its pid after locking.
    private func locked(_ path: String) -> Bool {
        ((try? Data(contentsOf: URL(fileURLWithPath: path)))?.count ?? 0) > 0
    }

    @Test func aSecondRunIntoABusyOutIsRefusedWithItsPid() throws {
        let input = try slowInput()
        let out = try ScratchDirectory("out")
        let target = out.path("o")
        let first = try start(
            ["run", input.url.path, "--output", target, "--jobs", "1"] + Self.common,
            until: { locked(target + "/.npdrop-lock") }, stop: true)
        #expect(first.isRunning)
        let second = try CLIRunner.run(["run", input.url.path, "--output", target, "--rate", "0.5", "--seed", "8"])
        #expect(second.status == 2)
        #expect(
            second.stderr
                == "npdrop: OUT '\(target)' is in use by another npdrop (pid \(first.processIdentifier)); wait for it to finish or choose another OUT\n"
        )
        let resume = try CLIRunner.run(["run", input.url.path, "--output", target, "--resume"] + Self.common)
        #expect(resume.status == 2)
        let verify = try CLIRunner.run(["verify", input.url.path, target])
        #expect(verify.status == 2)
        let shard = try CLIRunner.run(["run", input.url.path, "--output", target, "--shard", "0/2"] + Self.common)
        #expect(shard.status == 2)
        #expect(finish(first) == 0)
        // The finished run leaves no lock file behind, and its outputs verify.
        #expect(!exists(target + "/.npdrop-lock"))
        #expect(try CLIRunner.run(["verify", input.url.path, target, "--quiet"]).status == 0)
    }

    @Test func shardsOfOneSetRunSideBySideButNotTwiceOrWithAnotherCount() throws {
        let input = try slowInput()
        let out = try ScratchDirectory("out")
        let target = out.path("o")
        let shardOf = { (relpath: String, count: UInt64) -> Int in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in relpath.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return Int(hash % count)
        }
        let bigShard = shardOf("big.npy", 2)
        let first = try start(
            ["run", input.url.path, "--output", target, "--jobs", "1", "--shard", "\(bigShard)/2"] + Self.common,
            until: { locked(target + "/.npdrop-lock-shard-\(bigShard)-of-2") }, stop: true)
        let other = try CLIRunner.run(
            ["run", input.url.path, "--output", target, "--shard", "\(1 - bigShard)/2"] + Self.common)
        #expect(other.status == 0, "\(other.stderr)")
        let same = try CLIRunner.run(
            ["run", input.url.path, "--output", target, "--shard", "\(bigShard)/2"] + Self.common)
        #expect(same.status == 2)
        #expect(
            same.stderr
                == "npdrop: shard \(bigShard)/2 is already running into OUT '\(target)' (pid \(first.processIdentifier))\n"
        )
        let three = try CLIRunner.run(["run", input.url.path, "--output", target, "--shard", "0/3"] + Self.common)
        #expect(three.status == 2)
        #expect(three.stderr.contains("shards of different counts cannot share an OUT"))
        let whole = try CLIRunner.run(["run", input.url.path, "--output", target] + Self.common)
        #expect(whole.status == 2)
        #expect(finish(first) == 0)
        #expect(try CLIRunner.run(["merge-manifests", target, "--quiet"]).status == 0)
        #expect(try CLIRunner.run(["verify", input.url.path, target, "--quiet"]).status == 0)
    }

    @Test func aDifferentSeedIntoAnExistingOutIsRefusedAndOutUnchanged() throws {
        let input = try smallInput()
        let out = try ScratchDirectory("out")
        let target = out.path("o")
        #expect(try CLIRunner.run(["run", input.url.path, "--output", target] + Self.common).status == 0)
        let before = try FileTree.contents(of: target)
        let again = try CLIRunner.run(["run", input.url.path, "--output", target, "--rate", "0.5", "--seed", "8"])
        #expect(again.status == 2)
        #expect(
            again.stderr
                == "npdrop: OUT '\(target)' already holds an earlier run (data/, manifest.jsonl, masks/); pass --resume to finish it with the same settings, or --overwrite to replace it\n"
        )
        #expect(FileTree.differences(before, try FileTree.contents(of: target)) == [])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: target).sorted() == ["data", "manifest.jsonl", "masks"])
    }

    @Test func overwriteGivesExactlyACleanRunsTree() throws {
        let input = try smallInput()
        let out = try ScratchDirectory("out")
        // An earlier run with other settings and other files (a copy-1/ tree, a removed input).
        try input.write(
            NPYBytes.file(descr: "<f4", shape: [5], data: NPYBytes.float32(count: 5, seed: 3)), to: "gone.npy")
        #expect(
            try CLIRunner.run([
                "run", input.url.path, "--output", out.path("o"), "--copies", "2", "--rate", "0.3", "--seed", "9",
                "--quiet",
            ]).status == 0)
        try FileManager.default.removeItem(atPath: input.path("gone.npy"))
        let result = try CLIRunner.run(["run", input.url.path, "--output", out.path("o"), "--overwrite"] + Self.common)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try CLIRunner.run(["run", input.url.path, "--output", out.path("clean")] + Self.common).status == 0)
        let overwritten = try FileTree.contents(of: out.path("o"))
        let clean = try FileTree.contents(of: out.path("clean"))
        #expect(overwritten.count == clean.count)
        #expect(FileTree.differences(overwritten, clean) == [])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: out.path("o")).sorted()
                == FileManager.default.contentsOfDirectory(atPath: out.path("clean")).sorted())
    }

    @Test func overwriteRefusesAnOutHoldingSomethingNPDropDidNotWrite() throws {
        let input = try smallInput()
        let out = try ScratchDirectory("out")
        try out.write(Data("mine".utf8), to: "o/notes.txt")
        let before = try FileTree.contents(of: out.path("o"))
        let result = try CLIRunner.run(["run", input.url.path, "--output", out.path("o"), "--overwrite"] + Self.common)
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "npdrop: --overwrite: OUT '\(out.path("o"))' holds 'notes.txt', which npdrop did not write; nothing was removed (move it away or choose another OUT)\n"
        )
        let plain = try CLIRunner.run(["run", input.url.path, "--output", out.path("o")] + Self.common)
        #expect(plain.status == 2)
        #expect(
            plain.stderr
                == "npdrop: OUT '\(out.path("o"))' is not empty and holds 'notes.txt', which npdrop did not write; choose an empty or new OUT\n"
        )
        #expect(FileTree.differences(before, try FileTree.contents(of: out.path("o"))) == [])
        let both = try CLIRunner.run(
            ["run", input.url.path, "--output", out.path("p"), "--overwrite", "--resume"] + Self.common)
        #expect(both.status == 2)
    }

    @Test func anEmptyInputIsRefusedAndOutIsNotCreated() throws {
        let input = try ScratchDirectory("in")
        try FileManager.default.createDirectory(atPath: input.path("empty/sub"), withIntermediateDirectories: true)
        let out = try ScratchDirectory("out")
        let result = try CLIRunner.run(["run", input.path("empty"), "--output", out.path("o")] + Self.common)
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "npdrop: INPUT '\(input.path("empty"))' holds no file to process (no regular file below it); nothing was written\n"
        )
        #expect(!exists(out.path("o")))
        let typo = try CLIRunner.run(["run", input.path("emtpy"), "--output", out.path("o")] + Self.common)
        #expect(typo.status == 2)
        #expect(!exists(out.path("o")))
    }

    @Test func anUnusableOutIsExitTwo() throws {
        let input = try smallInput()
        let out = try ScratchDirectory("out")
        try out.write(Data("x".utf8), to: "file")
        let notDirectory = try CLIRunner.run(["run", input.url.path, "--output", out.path("file")] + Self.common)
        #expect(notDirectory.status == 2)
        let below = try CLIRunner.run(["run", input.url.path, "--output", out.path("file/o")] + Self.common)
        #expect(below.status == 2)
        let proc = try CLIRunner.run(["run", input.url.path, "--output", "/proc/npdrop-out"] + Self.common)
        #expect(proc.status == 2, "\(proc.stderr)")
    }

    @Test func applyNamesTheMissingDirectoryNotATemporary() throws {
        let input = try smallInput()
        let result = try CLIRunner.run(
            ["apply", input.path("a/x.npy"), "nodir/y.npy", "--rate", "0.5", "--seed", "1"],
            currentDirectory: input.url)
        #expect(result.status == 2)
        #expect(result.stderr == "npdrop: OUT 'nodir/y.npy': the directory 'nodir' does not exist\n")
    }

    @Test func sigtermLeavesNoTemporaryAndResumeGivesACleanRunsBytes() throws {
        let input = try slowInput()
        let out = try ScratchDirectory("out")
        let target = out.path("o")
        let process = Process()
        process.executableURL = CLIRunner.executable
        process.arguments = ["run", input.url.path, "--output", target, "--jobs", "1"] + Self.common
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while FileTree.temporaries(under: target).isEmpty && process.isRunning && Date() < deadline { usleep(500) }
        #expect(process.isRunning, "the run ended before it could be interrupted")
        kill(process.processIdentifier, SIGTERM)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 143)
        #expect(message.hasPrefix("npdrop: interrupted: "), "\(message)")
        #expect(message.hasSuffix(" of 3 files done; rerun with --resume\n"), "\(message)")
        #expect(FileTree.temporaries(under: target) == [])
        #expect(!exists(target + "/.npdrop-lock"))
        // The manifest is valid JSON Lines of what finished.
        let records = try ManifestLines.records(at: target + "/manifest.jsonl")
        #expect(records.allSatisfy { $0["status"] as? String == "ok" })
        #expect(!records.contains { $0["input"] as? String == "big.npy" })

        let resumed = try CLIRunner.run(["run", input.url.path, "--output", target, "--resume"] + Self.common)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try CLIRunner.run(["run", input.url.path, "--output", out.path("clean")] + Self.common).status == 0)
        #expect(
            FileTree.differences(try FileTree.contents(of: target), try FileTree.contents(of: out.path("clean"))) == [])
    }
}
