import Foundation
import Testing

/// `npdrop merge-manifests` and `npdrop status` as a binary: only complete shards of one
/// setting merge; every other case is exit 1 with a line per shard to rerun.
@Suite struct MergeManifestsCLITests {
    private static let common = ["--rate", "0.4", "--seed", "20240501", "--quiet"]

    /// Runs shard `index` of `count` and expects `status` (0, or 1 when INPUT holds a bad file).
    private func runShard(
        _ input: String, _ output: String, _ index: Int, of count: Int, _ extra: [String] = [],
        status: Int32 = 0
    ) throws {
        let result = try CLIRunner.run(
            ["run", input, "--output", output, "--shard", "\(index)/\(count)"]
                + MergeManifestsCLITests.common + extra)
        #expect(result.status == status, "shard \(index)/\(count) \(extra): \(result.stderr)")
    }

    /// The completion record as a shard killed mid-run leaves it (the record written when the
    /// work was planned; the library test checks that this is that text).
    private func makeUnfinished(_ output: String, _ index: Int, of count: Int) throws {
        let path = output + "/manifest-shard-\(index)-of-\(count).state.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let started = try text.replacing(
            Regex(#""complete":true,(.*),"records":\d+,"ok":\d+,"copied":\d+,"errors":\d+,"all_ok":(true|false),"#)
        ) { match in
            "\"complete\":false,\(match.output[1].substring ?? ""),\"records\":null,\"ok\":null,\"copied\":null,\"errors\":null,\"all_ok\":null,"
        }
        #expect(started != text)
        try Data(started.utf8).write(to: URL(fileURLWithPath: path))
    }

    private func tasks(_ output: String, _ index: Int, of count: Int) throws -> Int {
        try ManifestLines.records(at: output + "/manifest-shard-\(index)-of-\(count).jsonl")
            .map { "\($0["input"] ?? "")|\($0["copy"] ?? "")" }.reduce(into: Set<String>()) { $0.insert($1) }.count
    }

    @Test func aMissingShardIsRefusedAndNothingIsWritten() throws {
        let input = try ScratchDirectory("in")
        try RunDatasets.mixed(at: input)
        let out = try ScratchDirectory("out")
        try runShard(input.url.path, out.url.path, 0, of: 3)
        try runShard(input.url.path, out.url.path, 2, of: 3)
        let merge = try CLIRunner.run(["merge-manifests", out.url.path])
        #expect(merge.status == 1)
        #expect(
            merge.stderr == """
                npdrop: shard 1/3: missing (no manifest-shard-1-of-3.jsonl): run shard 1
                npdrop: cannot merge '\(out.url.path)': 1 of 3 shards are not complete; rerun shard 1 of 3 \
                (the same command with --resume: finished files are skipped), then merge again

                """)
        #expect(!FileManager.default.fileExists(atPath: out.path("manifest.jsonl")))
    }

    @Test func anUnfinishedShardIsRefusedUntilItIsRerunWithResume() throws {
        let input = try ScratchDirectory("in")
        try RunDatasets.mixed(at: input)
        let out = try ScratchDirectory("out")
        let one = try ScratchDirectory("one")
        let whole = try CLIRunner.run(
            ["run", input.url.path, "--output", one.url.path] + MergeManifestsCLITests.common)
        #expect(whole.status == 0)
        for index in 0..<3 { try runShard(input.url.path, out.url.path, index, of: 3) }
        try makeUnfinished(out.url.path, 1, of: 3)
        let done = try tasks(out.url.path, 1, of: 3)
        let records = try ManifestLines.records(at: out.path("manifest-shard-1-of-3.jsonl")).count

        let merge = try CLIRunner.run(["merge-manifests", out.url.path])
        #expect(merge.status == 1)
        #expect(
            merge.stderr == """
                npdrop: shard 1/3: unfinished (\(done) of \(done) task(s) recorded: the shard is still running or was stopped): rerun shard 1
                npdrop: cannot merge '\(out.url.path)': 1 of 3 shards are not complete; rerun shard 1 of 3 \
                (the same command with --resume: finished files are skipped), then merge again

                """)
        let status = try CLIRunner.run(["status", out.url.path])
        #expect(status.status == 0)
        #expect(
            status.stdoutText.split(separator: "\n")[1] == """
                shard 1/3: unfinished, \(done)/\(done) tasks, \(records) records, 0 errors — unfinished (\(done) of \(done) task(s) \
                recorded: the shard is still running or was stopped): rerun shard 1
                """)

        try runShard(input.url.path, out.url.path, 1, of: 3, ["--resume"])
        let again = try CLIRunner.run(["merge-manifests", out.url.path])
        #expect(again.status == 0, "\(again.stderr)")
        let merged = try FileTree.contents(of: out.url.path).filter { !$0.key.hasPrefix("manifest-shard-") }
        #expect(FileTree.differences(try FileTree.contents(of: one.url.path), merged) == [])
    }

    @Test func aShardOfOtherSettingsIsRefusedWithWhatDiffers() throws {
        let input = try ScratchDirectory("in")
        try RunDatasets.mixed(at: input)
        let out = try ScratchDirectory("out")
        try runShard(input.url.path, out.url.path, 0, of: 2)
        try runShard(input.url.path, out.url.path, 1, of: 2, ["--no-masks", "--copies", "2"])
        let merge = try CLIRunner.run(["merge-manifests", out.url.path])
        #expect(merge.status == 1)
        #expect(
            merge.stderr == """
                npdrop: shard 1/2: other settings than shard 0 (copies 2, not 1; masks false, not true): rerun shard 1 with \
                the settings and input of the others
                npdrop: cannot merge '\(out.url.path)': 1 of 2 shards are not complete; rerun shard 1 of 2 \
                (the same command with --resume: finished files are skipped), then merge again

                """)
    }

    @Test func aShardWithABadFileIsCompleteAndStatusSaysMergeCanRun() throws {
        let input = try ScratchDirectory("in")
        try RunDatasets.mixed(at: input)
        try input.write(Data("not an npy file".utf8), to: "bad.npy")
        let out = try ScratchDirectory("out")
        let bad = (0..<2).first { try! ShardOf.index("bad.npy", count: 2) == $0 }!
        for index in 0..<2 { try runShard(input.url.path, out.url.path, index, of: 2, status: index == bad ? 1 : 0) }
        let counts = try (0..<2).map { try tasks(out.url.path, $0, of: 2) }
        let records = try (0..<2).map {
            try ManifestLines.records(at: out.path("manifest-shard-\($0)-of-2.jsonl")).count
        }

        let status = try CLIRunner.run(["status", out.url.path])
        #expect(status.status == 0)
        #expect(
            status.stdoutText == (0..<2).map { index in
                "shard \(index)/2: complete, \(counts[index])/\(counts[index]) tasks, \(records[index]) records, \(index == bad ? "1 error" : "0 errors")\n"
            }.joined() + "merge: ready (npdrop merge-manifests \(out.url.path))\n")
        let json = try CLIRunner.run(["status", "--json", out.url.path])
        #expect(
            json.stdoutText == #"{"output":"\#(out.url.path)","shard_count":2,"shards":["#
                + (0..<2).map { index in
                    #"{"shard":"\#(index)/2","index":\#(index),"state":"complete","done":\#(counts[index]),"total":\#(counts[index]),"#
                        + #""records":\#(records[index]),"errors":\#(index == bad ? 1 : 0),"problem":null}"#
                }.joined(separator: ",") + "],\"can_merge\":true}\n")

        let merge = try CLIRunner.run(["merge-manifests", out.url.path])
        #expect(merge.status == 0)
        #expect(merge.stderr == "npdrop: merged \(records.reduce(0, +)) records into \(out.url.path)/manifest.jsonl\n")
    }

    @Test func statusOfAnOutWithoutShardsIsAUsageError() throws {
        let out = try ScratchDirectory("out")
        let status = try CLIRunner.run(["status", out.url.path])
        #expect(status.status == 2)
        #expect(status.stderr == "npdrop: no manifest-shard-<I>-of-<N>.jsonl in '\(out.url.path)'\n")
    }
}

/// The shard of a relpath (FNV-1a 64 mod N), as the docs give it.
enum ShardOf {
    static func index(_ relativePath: String, count: Int) throws -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in relativePath.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(count))
    }
}

/// `merge-manifests --wait`: the merge Job of docs/kubernetes-indexed-job.yaml starts with the
/// shards and waits for them.
@Suite struct MergeManifestsWaitCLITests {
    @Test func waitsUntilTheLastShardCompletesThenMerges() throws {
        let input = try ScratchDirectory("in")
        try RunDatasets.mixed(at: input)
        let out = try ScratchDirectory("out")
        let common = ["--rate", "0.4", "--seed", "20240501", "--quiet"]
        #expect(
            try CLIRunner.run(["run", input.url.path, "--output", out.url.path, "--shard", "0/2"] + common).status == 0)

        let merge = Process()
        merge.executableURL = CLIRunner.executable
        merge.arguments = ["merge-manifests", out.url.path, "--wait", "600", "--quiet"]
        try merge.run()
        #expect(
            try CLIRunner.run(["run", input.url.path, "--output", out.url.path, "--shard", "1/2"] + common).status == 0)
        merge.waitUntilExit()
        #expect(merge.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: out.path("manifest.jsonl")))
    }

    @Test func refusesWhenTheWaitEndsWithAShardMissing() throws {
        let input = try ScratchDirectory("in")
        try RunDatasets.mixed(at: input)
        let out = try ScratchDirectory("out")
        #expect(
            try CLIRunner.run([
                "run", input.url.path, "--output", out.url.path, "--shard", "1/2", "--rate", "0.4",
                "--seed", "1", "--quiet",
            ]).status == 0)
        let merge = try CLIRunner.run(["merge-manifests", out.url.path, "--wait", "1"])
        #expect(merge.status == 1)
        #expect(merge.stderr.hasPrefix("npdrop: shard 0/2: missing (no manifest-shard-0-of-2.jsonl): run shard 0\n"))
    }
}
