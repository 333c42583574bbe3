import Foundation
import Testing

@testable import BatchRunner

/// `verify` reads the manifest as a stream, a batch of file tasks at a time, and finds the
/// unexplained files by merging the records' paths with a sorted walk of OUT.
@Suite struct StreamingVerifyTests {
    /// 60 files in 6 folders (names that sort differently by component and by byte: `d-1`,
    /// `d/`, `d0`), run once with the fake processor.
    private func makeRun(_ scratch: Scratch) throws -> (input: String, out: String) {
        for folder in ["d", "d-1", "d0", "e", "e.x", "f"] {
            for index in 0..<10 {
                scratch.write("in/\(folder)/s\(index).npy", pattern(200 + index * 37, seed: UInt8(index)))
            }
        }
        let input = scratch.sub("in")
        let out = scratch.sub("out")
        _ = try BatchRun(options: testOptions(input, out), processor: FakeProcessor(), console: Captured().console())
            .run()
        return (input, out)
    }

    private func verify(_ input: String, _ out: String, quick: Bool, batchSize: Int) throws -> VerifyReport {
        var options = VerifyOptions(input: input, output: out, jobs: 2, segmentBytes: 3000)
        options.quick = quick
        var verifier = BatchVerifier(options: options, processor: FakeProcessor(), console: Captured().console())
        verifier.batchSize = batchSize
        return try verifier.run()
    }

    @Test func mismatchesInTheMiddleOfABigManifestAreReportedInEveryBatchSize() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let (input, out) = try makeRun(scratch)
        for quick in [false, true] {
            for batch in [1, 7, 2048] {
                let report = try verify(input, out, quick: quick, batchSize: batch)
                #expect(report.mismatches == [], "quick \(quick) batch \(batch)")
                #expect(report.records == 60)
                #expect(report.files == 60)
            }
        }
        // A flipped byte, a missing mask, and leftovers between explained files (by byte
        // order `d-1/…` < `d/…` < `d0/…`, while a walk by component visits `d/` first).
        var bytes = try #require(readBytes(out + "/data/d0/s5.npy"))
        bytes[100] ^= 0x40
        scratch.write("out/data/d0/s5.npy", bytes)
        try FileManager.default.removeItem(atPath: out + "/masks/e/s3.npy")
        scratch.write("out/data/d/s55.npy", [1])
        scratch.write("out/data/d-1/zz/old.npy", [1])
        scratch.write("out/masks/e.x/s0.npy.bak", [1])
        scratch.write("out/data/a.npy", [1])
        scratch.write("out/data/zz.npy", [1])
        let unexplained = [
            "data/a.npy", "data/d-1/zz/old.npy", "data/d/s55.npy", "data/zz.npy", "masks/e.x/s0.npy.bak",
        ].map { "\($0): in OUT but no manifest record explains it" }
        for batch in [1, 7, 2048] {
            let full = try verify(input, out, quick: false, batchSize: batch)
            #expect(
                full.mismatches
                    == (unexplained + [
                        "data/d0/s5.npy: differs from the re-derived bytes at offset 100",
                        "masks/e/s3.npy: missing from OUT",
                    ]).sorted(), "batch \(batch)")
            #expect(full.exitCode == 1)
            let quick = try verify(input, out, quick: true, batchSize: batch)
            #expect(
                quick.mismatches
                    == (unexplained + [
                        "data/d0/s5.npy: CRC-32C \(try #require(try FileDigest.of(path: out + "/data/d0/s5.npy")).crc32c) differs from the recorded \(try recordedCRC(out, "d0/s5.npy"))",
                        "masks/e/s3.npy: missing from OUT",
                    ]).sorted(by: RelativePath.precedes), "batch \(batch)")
        }
    }

    @Test func aManifestOutOfOrderIsHeldAndGivesTheSameReport() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let (input, out) = try makeRun(scratch)
        scratch.write("out/data/d0/extra.npy", [1])
        try FileManager.default.removeItem(atPath: out + "/data/e/s1.npy")
        let sorted = try #require(readBytes(out + "/manifest.jsonl"))
        let streamed = try verify(input, out, quick: false, batchSize: 5)
        // The same lines, reversed (a killed run's log is in completion order).
        var lines = sorted.split(separator: 0x0A).map(Array.init)
        lines.reverse()
        scratch.write("out/manifest.jsonl", Array(lines.joined(separator: [0x0A])) + [0x0A])
        let held = try verify(input, out, quick: false, batchSize: 5)
        #expect(streamed.mismatches.count == 2)
        #expect(held.mismatches == streamed.mismatches)
        #expect(held.records == 60)
        // A record whose output is edited out of order: the paths are then held to find the leftovers.
        var records = try #require(try ManifestFiles.read(path: out + "/manifest.jsonl")).records
        records = ManifestFiles.sorted(records)
        records[3].output = "data/f/s9.npy"
        scratch.write("out/manifest.jsonl", ManifestFiles.encode(records))
        let edited = try verify(input, out, quick: true, batchSize: 5)
        #expect(edited.mismatches.contains("data/d-1/s3.npy: in OUT but no manifest record explains it"))
        #expect(edited.mismatches.contains("data/d0/extra.npy: in OUT but no manifest record explains it"))
        #expect(!edited.mismatches.contains { $0.hasPrefix("data/f/s9.npy: in OUT") })
    }

    @Test func shardManifestsAreMergedInOrder() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        for index in 0..<30 { scratch.write("in/x\(index % 4)/f\(index).npy", pattern(90 + index, seed: 9)) }
        let input = scratch.sub("in")
        let out = scratch.sub("out")
        for shard in 0..<3 {
            var options = testOptions(input, out)
            options.shard = try ShardSpec(index: shard, count: 3)
            _ = try BatchRun(options: options, processor: FakeProcessor(), console: Captured().console()).run()
        }
        let report = try verify(input, out, quick: false, batchSize: 4)
        #expect(report.mismatches == [])
        #expect(report.records == 30)
        #expect(report.files == 30)
        try FileManager.default.removeItem(atPath: out + "/data/x2/f14.npy")
        let quick = try verify(input, out, quick: true, batchSize: 4)
        #expect(quick.mismatches == ["data/x2/f14.npy: missing from OUT"])
    }

    @Test func sortedWalkGivesPathsInByteOrder() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        for path in ["w/a/b", "w/a-b", "w/a0", "w/a/c/d", "w/b", "w/A", "w/a.", "w/é"] { scratch.write(path, [1]) }
        let walk = SortedWalk(root: scratch.sub("w"))
        var paths: [String] = []
        while let next = try walk.peek() {
            paths.append(String(decoding: next, as: UTF8.self))
            walk.advance()
        }
        let expected = ["a/b", "a-b", "a0", "a/c/d", "b", "A", "a.", "é"].sorted(by: RelativePath.precedes)
        #expect(paths == expected)
        #expect(paths == ["A", "a-b", "a.", "a/b", "a/c/d", "a0", "b", "é"])
    }

    private func recordedCRC(_ out: String, _ input: String) throws -> UInt32 {
        let records = try #require(try ManifestFiles.read(path: out + "/manifest.jsonl")).records
        return try #require(records.first { $0.input == input }?.outputCRC32C)
    }
}
