import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A run killed with SIGKILL leaves only complete files under final names, and `--resume`
/// finishes it with the bytes of an uninterrupted run.
@Suite struct RunResumeCLITests {
    private static let settings = ["--rate", "0.25", "--seed", "99"]

    /// Six 8 MiB float32 files (shape (8, 4096, 64)) and two npz archives; returns the options
    /// of the run (spatial1d dropout for the big files, through a config rule).
    private func dataset(_ input: ScratchDirectory, config: ScratchDirectory) throws -> [String] {
        try config.write(Data(#"{"rules": [{"match": "big/*.npy", "variant": "spatial1d"}]}"#.utf8), to: "config.json")
        for index in 0..<6 {
            let data = NPYBytes.float32(count: 8 * 4096 * 64, seed: UInt64(100 + index))
            try input.write(NPYBytes.file(descr: "<f4", shape: [8, 4096, 64], data: data), to: "big/part-\(index).npy")
        }
        for name in ["savez_stored.npz", "savez_compressed.npz"] {
            try input.write(Data(contentsOf: RunDatasets.npzFixtures.appendingPathComponent(name)), to: "z/\(name)")
        }
        return Self.settings + ["--config", config.path("config.json")]
    }

    /// True when `data` is a whole `.npy` (size from its header) or a whole zip archive (end
    /// record at the very end).
    private func isComplete(_ path: String, _ data: Data) -> Bool {
        if path.hasSuffix(".npy") { return NPYBytes.expectedSize(of: data) == data.count }
        guard data.count >= 22 else { return false }
        return data.suffix(22).prefix(4) == Data([0x50, 0x4B, 0x05, 0x06])
    }

    /// Starts `npdrop arguments...` without waiting for it.
    private func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = CLIRunner.executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func killedRunLeavesOnlyCompleteFilesAndResumeFinishesIt() throws {
        let input = try ScratchDirectory("in")
        let out = try ScratchDirectory("out")
        let settings = try dataset(input, config: out)

        let reference = try CLIRunner.run(
            ["run", input.url.path, "--output", out.path("reference"), "--quiet", "--jobs", "2"]
                + settings)
        #expect(reference.status == 0, "\(reference.stderr)")

        // One worker and 1 MiB segments: slow enough to be killed in the middle.
        let target = out.path("killed")
        let process = try start(
            [
                "run", input.url.path, "--output", target, "--quiet", "--jobs", "1",
                "--segment-bytes", "1048576",
            ] + settings)
        let manifest = target + "/manifest.jsonl"
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline {
            if let text = try? String(contentsOfFile: manifest, encoding: .utf8), text.contains("\n") { break }
            usleep(2_000)
        }
        usleep(50_000)  // let the next file get under way
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        // Whatever has a final name is complete; a cut-off manifest line is the only partial thing.
        let killed = try FileTree.contents(of: target)
        var finals = 0
        for (path, data) in killed where path.hasPrefix("data/") || path.hasPrefix("masks/") {
            guard !(path as NSString).lastPathComponent.hasPrefix(".npdrop-tmp-") else { continue }
            #expect(isComplete(path, data), "\(path) is incomplete (\(data.count) bytes)")
            finals += 1
        }
        let killedText = String(decoding: killed["manifest.jsonl"] ?? Data(), as: UTF8.self)
        let finishedTasks = Set(
            killedText.split(separator: "\n", omittingEmptySubsequences: false)
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .compactMap { $0["input"] as? String })
        #expect(finals >= 2 * finishedTasks.count, "outputs and masks of the recorded tasks exist")

        let resumed = try CLIRunner.run(
            [
                "run", input.url.path, "--output", target, "--quiet", "--json", "--resume",
                "--jobs", "2",
            ] + settings)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let summary = try JSONSerialization.jsonObject(with: resumed.stdout) as? [String: Any] ?? [:]
        #expect(summary["resumed_tasks"] as? Int == finishedTasks.count, "\(summary) vs \(finishedTasks)")
        #expect((summary["tasks"] as? Int ?? 0) + finishedTasks.count == 8)

        let expected = try FileTree.contents(of: out.path("reference"))
        let found = try FileTree.contents(of: target)
        #expect(expected.count == 17)
        #expect(FileTree.differences(expected, found) == [])
        #expect(FileTree.temporaries(under: target) == [])
    }

    @Test func resumeRedoesTasksWhoseOutputsAreGoneAndRefusesOtherSettings() throws {
        let input = try ScratchDirectory("in")
        try input.write(
            NPYBytes.file(descr: "<f4", shape: [3, 5, 7], data: NPYBytes.float32(count: 105, seed: 4)), to: "a.npy")
        try input.write(
            NPYBytes.file(descr: "<f4", shape: [3, 5, 7], data: NPYBytes.float32(count: 105, seed: 5)), to: "b.npy")
        let out = try ScratchDirectory("out")
        let first = try CLIRunner.run(["run", input.url.path, "--output", out.path("o"), "--quiet"] + Self.settings)
        #expect(first.status == 0)
        try FileManager.default.removeItem(atPath: out.path("o/data/b.npy"))
        let again = try CLIRunner.run(
            ["run", input.url.path, "--output", out.path("o"), "--quiet", "--json", "--resume"]
                + Self.settings)
        let summary = try JSONSerialization.jsonObject(with: again.stdout) as? [String: Any] ?? [:]
        #expect(summary["resumed_tasks"] as? Int == 1 && summary["tasks"] as? Int == 1)
        #expect(FileManager.default.fileExists(atPath: out.path("o/data/b.npy")))
        // Other settings: refused (exit 2, nothing on stdout, OUT as it was); --overwrite redoes everything.
        let before = try FileTree.contents(of: out.path("o"))
        let changed = try CLIRunner.run([
            "run", input.url.path, "--output", out.path("o"), "--quiet", "--json", "--resume",
            "--rate", "0.5", "--seed", "99",
        ])
        #expect(changed.status == 2 && changed.stdout.isEmpty)
        #expect(changed.stderr.contains("(rate 0.25 there, 0.5 now, first at a.npy)"), "\(changed.stderr)")
        #expect(try FileTree.contents(of: out.path("o")) == before)
        let replaced = try CLIRunner.run([
            "run", input.url.path, "--output", out.path("o"), "--quiet", "--json", "--overwrite",
            "--rate", "0.5", "--seed", "99",
        ])
        let redone = try JSONSerialization.jsonObject(with: replaced.stdout) as? [String: Any] ?? [:]
        #expect(redone["resumed_tasks"] as? Int == 0 && redone["tasks"] as? Int == 2)
        let records = try ManifestLines.records(at: out.path("o/manifest.jsonl"))
        #expect(records.map { $0["rate"] as? Double } == [0.5, 0.5])
    }

    /// A killed run's log (lines in completion order, an array twice, a cut-off line) is read
    /// whole; a finished run's sorted manifest is streamed. Both resume to a clean run's bytes,
    /// with the seed given and taken from the manifest.
    @Test func resumeReadsAnUnsortedLogAsWellAsASortedManifest() throws {
        let input = try ScratchDirectory("in")
        for (index, name) in ["a.npy", "b.npy", "c/d.npy", "c/e.npy"].enumerated() {
            try input.write(
                NPYBytes.file(descr: "<f4", shape: [4, 6], data: NPYBytes.float32(count: 24, seed: UInt64(index))),
                to: name)
        }
        try input.write(
            Data(contentsOf: RunDatasets.npzFixtures.appendingPathComponent("savez_stored.npz")), to: "c/z.npz")
        let out = try ScratchDirectory("out")
        let reference = out.path("reference")
        let first = try CLIRunner.run(
            ["run", input.url.path, "--output", reference, "--quiet", "--copies", "2"] + Self.settings)
        #expect(first.status == 0, "\(first.stderr)")
        let expected = try FileTree.contents(of: reference)
        let sortedText = try String(contentsOfFile: reference + "/manifest.jsonl", encoding: .utf8)
        let lines = sortedText.split(separator: "\n").map(String.init)
        #expect(lines.count > 8)
        for (index, seedArguments) in [Self.settings, ["--rate", "0.25"]].enumerated() {
            for unsorted in [false, true] {
                let target = out.path("t\(index)-\(unsorted)")
                try FileManager.default.copyItem(atPath: reference, toPath: target)
                if unsorted {
                    let text = (lines.reversed() + [lines[0], String(lines[1].prefix(30))]).joined(separator: "\n")
                    try Data(text.utf8).write(to: URL(fileURLWithPath: target + "/manifest.jsonl"))
                }
                try FileManager.default.removeItem(atPath: target + "/copy-0/data/b.npy")
                let resumed = try CLIRunner.run(
                    [
                        "run", input.url.path, "--output", target, "--json", "--resume",
                        "--copies", "2",
                    ] + seedArguments)
                #expect(resumed.status == 0, "\(resumed.stderr)")
                let summary = try JSONSerialization.jsonObject(with: resumed.stdout) as? [String: Any] ?? [:]
                #expect(summary["tasks"] as? Int == 1 && summary["resumed_tasks"] as? Int == 9, "\(summary)")
                #expect(resumed.stderr.contains("ignoring 1 incomplete line(s)") == unsorted, "\(resumed.stderr)")
                #expect(try String(contentsOfFile: target + "/manifest.jsonl", encoding: .utf8) == sortedText)
                #expect(FileTree.differences(expected, try FileTree.contents(of: target)) == [])
            }
        }
    }
}
