import Foundation
import Testing

/// `npdrop run` as a binary: output bytes independent of workers, segments and shards; bad
/// files among good ones; usage errors.
@Suite struct RunCLITests {
    private static let common = ["--rate", "0.4", "--seed", "20240501", "--quiet"]

    /// Runs `npdrop run INPUT --output OUT ...` and expects exit 0 with nothing on stderr.
    @discardableResult
    private func run(_ input: String, _ output: String, _ extra: [String] = []) throws -> CLIRunner.Output {
        let result = try CLIRunner.run(["run", input, "--output", output] + RunCLITests.common + extra)
        #expect(result.status == 0, "\(extra): \(result.stderr)")
        #expect(result.stderr == "", "\(extra)")
        return result
    }

    @Test func outputBytesDoNotDependOnTheNumberOfWorkers() throws {
        let input = try ScratchDirectory("in")
        try RunDatasets.mixed(at: input)
        let out = try ScratchDirectory("out")
        var trees: [[String: Data]] = []
        for jobs in ["1", "2", "4"] {
            // Small segments, so the large generated file is split across the workers.
            try run(
                input.url.path, out.path(jobs),
                ["--jobs", jobs, "--segment-bytes", "40000", "--members", "floats,arr_1"])
            trees.append(try FileTree.contents(of: out.path(jobs)))
        }
        #expect(trees[0].keys.contains("manifest.jsonl"))
        #expect(trees[0].keys.contains("data/gen/big_f4.npy") && trees[0].keys.contains("masks/npz/savez_stored.npz"))
        #expect(trees[0].count > 30)
        #expect(FileTree.differences(trees[0], trees[1]) == [])
        #expect(FileTree.differences(trees[0], trees[2]) == [])
    }

    @Test func aFileSplitIntoSegmentsGivesTheBytesOfAnUnsplitRun() throws {
        let input = try ScratchDirectory("in")
        // 1.5 MiB of float32 in Fortran order with a spatial noise shape (mask not in step with
        // the data), and a float16 file with full noise: every segment boundary cuts mid-row.
        try input.write(
            NPYBytes.file(
                descr: "<f4", shape: [6, 40, 40, 41], fortran: true,
                data: NPYBytes.float32(count: 6 * 40 * 40 * 41, seed: 9)),
            to: "images.npy")
        try input.write(
            NPYBytes.file(descr: "<f2", shape: [1001, 333], data: NPYBytes.bytes(count: 1001 * 333 * 2, seed: 5)),
            to: "half.npy")
        let out = try ScratchDirectory("out")
        let config = input.path("../rules-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(atPath: config) }
        try Data(#"{"rules": [{"match": "images.npy", "variant": "spatial2d"}]}"#.utf8).write(
            to: URL(fileURLWithPath: config))
        try run(input.url.path, out.path("whole"), ["--jobs", "1", "--config", config])
        try run(input.url.path, out.path("split"), ["--jobs", "3", "--config", config, "--segment-bytes", "100003"])
        let whole = try FileTree.contents(of: out.path("whole"))
        let split = try FileTree.contents(of: out.path("split"))
        #expect(whole.count == 5)
        #expect(FileTree.differences(whole, split) == [])
        let records = try ManifestLines.records(at: out.path("split/manifest.jsonl"))
        #expect(records.map { $0["noise_shape"] as? [Int] ?? [] } == [[1001, 333], [6, 1, 1, 41]])
    }

    @Test func threeShardsMergedEqualOneMachine() throws {
        let input = try ScratchDirectory("in")
        try RunDatasets.mixed(at: input)
        let out = try ScratchDirectory("out")
        try run(input.url.path, out.path("one"), ["--copies", "2"])
        var shardFiles: [Int] = []
        for index in 0..<3 {
            try run(input.url.path, out.path("three"), ["--copies", "2", "--shard", "\(index)/3"])
            shardFiles.append(try ManifestLines.records(at: out.path("three/manifest-shard-\(index)-of-3.jsonl")).count)
        }
        #expect(shardFiles.allSatisfy { $0 > 0 }, "every shard got work: \(shardFiles)")
        let merge = try CLIRunner.run(["merge-manifests", out.path("three")])
        #expect(merge.status == 0)
        let records = shardFiles.reduce(0, +)
        #expect(merge.stderr == "npdrop: merged \(records) records into \(out.path("three"))/manifest.jsonl\n")
        let one = try FileTree.contents(of: out.path("one"))
        let three = try FileTree.contents(of: out.path("three")).filter { !$0.key.hasPrefix("manifest-shard-") }
        #expect(one.keys.contains("copy-1/data/gen/images.npy") && one.keys.contains("copy-0/masks/npz/names.npz"))
        #expect(FileTree.differences(one, three) == [])
    }

    @Test func aBadFileAmongGoodOnesFailsAloneAndLeavesNoTemporaries() throws {
        let input = try ScratchDirectory("in")
        try RunDatasets.mixed(at: input)
        let good = try ScratchDirectory("out")
        try run(input.url.path, good.path("out"))

        let big = try Data(contentsOf: URL(fileURLWithPath: input.path("gen/big_f4.npy")))
        try input.write(big.prefix(big.count - 1000), to: "bad/truncated.npy")
        try input.write(Data("not an npy file at all".utf8), to: "bad/header.npy")
        var archive = try Data(contentsOf: RunDatasets.npzFixtures.appendingPathComponent("savez_stored.npz"))
        archive[archive.startIndex + 200] ^= 0x01  // inside the first member's data: its CRC-32 fails
        try input.write(archive, to: "bad/crc.npz")

        let out = try ScratchDirectory("out")
        let result = try CLIRunner.run(
            [
                "run", input.url.path, "--output", out.path("out"), "--jobs", "2",
                "--segment-bytes", "50000",
            ] + RunCLITests.common)
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        // One line per failed array: 2 .npy files and the 7 members of crc.npz.
        #expect(lines.count == 9 && lines.allSatisfy { $0.hasPrefix("npdrop: error: bad/") }, "\(result.stderr)")
        #expect(lines.contains { $0.hasPrefix("npdrop: error: bad/header.npy: ") }, "\(lines)")
        #expect(
            lines.contains("npdrop: error: bad/truncated.npy: truncated data: expected 262144 bytes, found 261144"),
            "\(lines)")
        #expect(
            lines.contains { $0.hasPrefix("npdrop: error: bad/crc.npz: member 'floats.npy': CRC-32 mismatch") },
            "\(lines)")

        let records = try ManifestLines.records(at: out.path("out/manifest.jsonl"))
        let errors = records.filter { $0["status"] as? String == "error" }
        #expect(
            Set(errors.map { $0["input"] as? String ?? "" }) == ["bad/crc.npz", "bad/header.npy", "bad/truncated.npy"])
        let crc = errors.filter { $0["input"] as? String == "bad/crc.npz" }
        #expect(crc.count == 7)
        #expect(crc.allSatisfy { ($0["error"] as? String ?? "").hasPrefix("bad/crc.npz") })
        #expect(
            crc.contains {
                $0["error"] as? String == "bad/crc.npz: not written because member 'floats.npy' of the same file failed"
            })

        // Every good output is there with the bytes of a run without the bad files; nothing else.
        var tree = try FileTree.contents(of: out.path("out"))
        var expected = try FileTree.contents(of: good.path("out"))
        #expect(tree.removeValue(forKey: "manifest.jsonl") != nil)
        expected.removeValue(forKey: "manifest.jsonl")
        #expect(FileTree.differences(tree, expected) == [])
        #expect(FileTree.temporaries(under: out.path("out")) == [])
        let goodLines = try String(contentsOfFile: good.path("out/manifest.jsonl"), encoding: .utf8).split(
            separator: "\n")
        let allLines = try String(contentsOfFile: out.path("out/manifest.jsonl"), encoding: .utf8).split(
            separator: "\n")
        #expect(allLines.filter { !$0.contains(#""input":"bad/"#) } == goodLines)
    }

    @Test func usageErrorsExitTwoBeforeWritingAnything() throws {
        let input = try ScratchDirectory("in")
        try input.write(Data(contentsOf: CLIRunner.fixtures.appendingPathComponent("le_f4_C_r2.npy")), to: "x.npy")
        let out = try ScratchDirectory("out")
        let cases: [([String], String)] = [
            (["--seed", "1"], "npdrop: --rate is required (on the command line or as \"rate\" in the config file)\n"),
            (["--rate", "0.5", "--compress", "--store"], "npdrop: --compress and --store exclude each other\n"),
            (
                ["--rate", "0.5", "--compression-level", "12"],
                "npdrop: --compression-level must be between -1 and 9, found 12\n"
            ),
            (["--rate", "0.5", "--jobs", "0"], "npdrop: --jobs must be at least 1, found 0\n"),
            (
                ["--rate", "0.5", "--shard", "0/3"],
                "npdrop: a sharded run needs --seed: every shard must use the same seed\n"
            ),
            (["--rate", "2"], "npdrop: --rate must be in [0, 1], found 2.0\n"),
            (
                ["--rate", "0.5", "--variant", "spatial4d"],
                "npdrop: The value 'spatial4d' is invalid for '--variant <variant>'. Please provide one of 'dropout', 'spatial1d', 'spatial2d', 'spatial3d' or 'alpha'.\n"
            ),
        ]
        for (arguments, message) in cases {
            let result = try CLIRunner.run(["run", input.url.path, "--output", out.path("o")] + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr == message, "\(arguments)")
            #expect(!FileManager.default.fileExists(atPath: out.path("o")), "\(arguments)")
        }
        let inside = try CLIRunner.run(["run", input.url.path, "--output", input.path("out"), "--rate", "0.5"])
        #expect(inside.status == 2)
        #expect(inside.stderr.hasPrefix("npdrop: "))
        #expect(!FileManager.default.fileExists(atPath: input.path("out")))
    }

    @Test func summaryOnStderrAndJSONOnStdout() throws {
        let input = try ScratchDirectory("in")
        try input.write(Data(contentsOf: CLIRunner.fixtures.appendingPathComponent("le_f4_C_r2.npy")), to: "x.npy")
        try input.write(
            Data(contentsOf: RunDatasets.npzFixtures.appendingPathComponent("savez_stored.npz")), to: "y.npz")
        let out = try ScratchDirectory("out")
        let result = try CLIRunner.run([
            "run", input.url.path, "--output", out.path("o"), "--rate", "0.5", "--json",
            "--members", "floats",
        ])
        #expect(result.status == 0)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("npdrop: seed ") == true)
        #expect(lines.last?.hasPrefix("npdrop: 2 files, 8 arrays (2 ok, 6 copied, 0 errors), ") == true, "\(lines)")
        let summary = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] ?? [:]
        #expect(summary["files"] as? Int == 2 && summary["ok"] as? Int == 2 && summary["copied"] as? Int == 6)
        #expect(summary["exit_code"] as? Int == 0)
        let records = try ManifestLines.records(at: out.path("o/manifest.jsonl"))
        let seed = try #require(lines.first?.split(separator: " ").dropFirst(2).first.flatMap { UInt64($0) })
        #expect(records.allSatisfy { ($0["seed"] as? NSNumber)?.uint64Value == seed })
    }
}
