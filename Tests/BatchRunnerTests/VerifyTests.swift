import Foundation
import Testing

@testable import BatchRunner

@Suite struct VerifyTests {
    private func verify(_ input: String, _ out: String, captured: Captured = Captured()) throws -> VerifyReport {
        try BatchVerifier(
            options: VerifyOptions(input: input, output: out, jobs: 2, segmentBytes: 3000),
            processor: FakeProcessor(), console: captured.console()
        ).run()
    }

    @Test func aFreshRunVerifies() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let input = makeDataset(scratch)
        let out = scratch.sub("out")
        var options = testOptions(input, out)
        options.copies = 2
        options.members = try MemberSelection(parsing: "x")
        _ = try BatchRun(options: options, processor: FakeProcessor(), console: Captured().console()).run()
        let captured = Captured()
        let report = try verify(input, out, captured: captured)
        #expect(report.mismatches == [])
        #expect(report.exitCode == 0)
        #expect(report.records == 18)
        #expect(report.files == 14)
        #expect(captured.errorLines == ["npdrop: " + report.line])
        #expect(temporaries(out).isEmpty)
    }

    @Test func everyTamperingIsReported() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let input = makeDataset(scratch, extra: ["c/corrupt.npy": [1]])
        let out = scratch.sub("out")
        _ = try BatchRun(options: testOptions(input, out), processor: FakeProcessor(), console: Captured().console())
            .run()

        // Flip a byte of a result, truncate another, remove a mask, change a record's rate.
        var big = readBytes(out + "/data/a/big.npy")!
        big[12_345] ^= 0x01
        scratch.write("out/data/a/big.npy", big)
        scratch.write("out/data/b.npy", Array(readBytes(out + "/data/b.npy")!.prefix(100)))
        try FileManager.default.removeItem(atPath: out + "/masks/a/small.npy")
        let contents = try #require(try ManifestFiles.read(path: out + "/manifest.jsonl"))
        var records = contents.records
        let index = try #require(records.firstIndex { $0.input == "empty.npy" })
        records[index].shape = [7]
        let other = try #require(records.firstIndex { $0.input == ".hidden/h.npy" })
        records[other].rate = 0.5
        var escaping = records[other]
        escaping.input = "../escape.npy"
        records.append(escaping)
        var negative = records[index]
        negative.copy = -1
        records.append(negative)
        scratch.write("out/manifest.jsonl", ManifestFiles.encode(records))

        let captured = Captured()
        let report = try verify(input, out, captured: captured)
        #expect(report.exitCode == 1)
        #expect(
            report.mismatches == [
                "../escape.npy copy 0: input path is not a safe relative path",
                "c/corrupt.npy copy 0: recorded error: c/corrupt.npy: corrupt header",
                "data/.hidden/h.npy: differs from the re-derived bytes at offset 0",
                "data/a/big.npy: differs from the re-derived bytes at offset 12345",
                "data/b.npy: 100 bytes, re-derived 8192 bytes",
                "empty.npy copy -1: copy must be a non-negative integer",
                "empty.npy copy 0: manifest shape [7], re-derived [0]",
                "masks/.hidden/h.npy: 29 bytes, re-derived 28 bytes",
                "masks/a/small.npy: missing from OUT",
            ])
        for line in report.mismatches { #expect(captured.error.contains("npdrop: \(line)\n")) }
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/escape.npy"))
    }

    @Test func verifyReadsShardManifestsWhenNotMerged() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let input = makeDataset(scratch)
        let out = scratch.sub("out")
        for index in 0..<2 {
            var options = testOptions(input, out)
            options.shard = try ShardSpec(index: index, count: 2)
            _ = try BatchRun(options: options, processor: FakeProcessor(), console: Captured().console()).run()
        }
        let report = try verify(input, out)
        #expect(report.mismatches == [])
        #expect(report.records == 9)
        #expect(throws: RunnerError.self) { try verify(input, scratch.sub("nothing-here")) }
    }
}
