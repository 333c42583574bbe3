import DropoutFiles
import Foundation
import Testing

@testable import BatchRunner

/// The completion record a shard writes when its work is planned and when it is done, and what
/// `ShardSetStatus` (merge-manifests, status) makes of it.
@Suite struct ShardCompletionTests {
    /// The text a shard's record holds until it completes, given the completed text: what a
    /// killed or still running shard leaves.
    static func startedVersion(of completed: String) throws -> String {
        let pattern = try Regex(
            #""complete":true,(.*),"records":\d+,"ok":\d+,"copied":\d+,"errors":\d+,"all_ok":(true|false),"#)
        return completed.replacing(pattern) { match in
            "\"complete\":false,\(match.output[1].substring ?? ""),\"records\":null,\"ok\":null,\"copied\":null,\"errors\":null,\"all_ok\":null,"
        }
    }

    @Test func theRecordSaysUnfinishedWhileTheShardRunsAndCompleteAtTheEnd() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let input = makeDataset(scratch, extra: ["bad/corrupt.npy": pattern(10, seed: 9)])
        let out = scratch.sub("out")
        let recordPath = out + "/manifest-shard-0-of-2.state.json"
        let seen = Locked<[String]>([])
        var processor = FakeProcessor()
        processor.observer = { _ in
            let text = readBytes(recordPath).map { String(decoding: $0, as: UTF8.self) } ?? "none"
            seen.withLock { $0.append(text) }
        }
        var options = testOptions(input, out)
        options.shard = try ShardSpec(index: 0, count: 2)
        let report = try BatchRun(options: options, processor: processor, console: Captured().console()).run()
        let final = try #require(readBytes(recordPath).map { String(decoding: $0, as: UTF8.self) })
        let midRun = seen.withLock { $0 }
        #expect(!midRun.isEmpty)
        #expect(midRun.allSatisfy { $0 == midRun[0] })
        #expect(midRun[0] == (try ShardCompletionTests.startedVersion(of: final)))
        #expect(
            midRun[0].hasPrefix(
                #"{"shard":"0/2","complete":false,"files":\#(report.summary.files),"tasks":\#(report.summary.files),"#))

        let record = try #require(try ShardCompletion.read(path: recordPath))
        #expect(
            record.complete && record.records == report.records.count && record.errors == report.summary.arrayErrors)
        #expect(record.allOK == (report.summary.arrayErrors == 0))
        #expect(record.settings["seed"] == "42" && record.settings["rate"] == "0.25")
        #expect(record.inputFiles == 8)
        #expect(final.hasSuffix("\n") && final.filter { $0 == "\n" }.count == 1)
    }

    @Test func aShardWithErrorRecordsIsCompleteAndOnlyThoseOfOneSettingMerge() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let input = makeDataset(
            scratch, extra: ["corrupt.npy": pattern(10, seed: 9), "corrupt2.npy": pattern(11, seed: 9)])
        let out = scratch.sub("out")
        var options = testOptions(input, out)
        for index in 0..<2 {
            options.shard = try ShardSpec(index: index, count: 2)
            _ = try BatchRun(options: options, processor: FakeProcessor(), console: Captured().console()).run()
        }
        let status = try ShardSetStatus.read(outputDirectory: out)
        #expect(status.canMerge)
        #expect(status.shards.map(\.errors).reduce(0, +) == 2)
        #expect(try ManifestFiles.merge(outputDirectory: out) == status.shards.map(\.records).reduce(0, +))

        options.seed = 43
        options.resume = true
        options.shard = try ShardSpec(index: 1, count: 2)
        // --resume of shard 1 with another seed is refused; run afresh (its own files removed), it
        // is a shard of other settings than shard 0.
        #expect(throws: RunnerError.self) {
            try BatchRun(options: options, processor: FakeProcessor(), console: Captured().console()).run()
        }
        for name in ["manifest-shard-1-of-2.jsonl", "manifest-shard-1-of-2.state.json"] {
            try FileManager.default.removeItem(atPath: out + "/" + name)
        }
        // The merged manifest is put aside while shard 1 starts (a new shard refuses an OUT holding it).
        try FileManager.default.moveItem(atPath: out + "/manifest.jsonl", toPath: scratch.sub("merged.jsonl"))
        options.resume = false
        _ = try BatchRun(options: options, processor: FakeProcessor(), console: Captured().console()).run()
        try FileManager.default.moveItem(atPath: scratch.sub("merged.jsonl"), toPath: out + "/manifest.jsonl")
        let before = readBytes(out + "/manifest.jsonl")
        #expect(
            throws: IncompleteShards(lines: [
                "shard 1/2: other settings than shard 0 (seed 43, not 42): rerun shard 1 with the settings and input of the others",
                "cannot merge '\(out)': 1 of 2 shards are not complete; rerun shard 1 of 2 (the same command with --resume: finished files are skipped), then merge again",
            ])
        ) {
            try ManifestFiles.merge(outputDirectory: out)
        }
        #expect(readBytes(out + "/manifest.jsonl") == before)
    }

    @Test func settingsDifferencesAreNamedInOrder() {
        let found = ["seed": "7", "rate": "0.2", "copies": "1", "extra": "x"]
        let expected = ["seed": "5", "rate": "0.1", "copies": "1"]
        #expect(
            ShardSettings.differences(found, from: expected) == "seed 7, not 5; rate 0.2, not 0.1; extra x, not absent")
    }
}
