import DropoutEngine
import Foundation
import Testing

@testable import BatchRunner

@Suite struct ManifestTests {
    static func record(
        input: String = "a/x.npz", member: String? = "x.npy", copy: Int = 0,
        seed: UInt64 = .max, status: ManifestRecord.Status = .ok
    ) -> ManifestRecord {
        ManifestRecord(
            input: input, member: member, copy: copy, output: "data/" + input, mask: "masks/" + input,
            outputMember: member, maskMember: member, variant: "spatial2d", rate: 0.1, noiseShape: [4, 1, 1, 3],
            shape: [4, 8, 8, 3], dtype: "<f4", fortranOrder: false, seed: seed,
            spawnKey: ArrayKey(relpath: input, member: member).spawnKey(copy: copy), status: status,
            error: status == .error ? "boom" : nil, noiseShapeSpec: nil, dataFormat: "channels_last", scale: true,
            fill: nil, compression: member == nil ? nil : "input")
    }

    @Test func fieldNamesAreExactlyTheContractsInOrder() throws {
        let line = ManifestTests.record().jsonLine
        let contract = [
            "input", "member", "copy", "output", "mask", "output_member", "mask_member", "variant", "rate",
            "noise_shape", "shape", "dtype", "fortran_order", "seed", "spawn_key", "status", "error",
        ]
        let extras = [
            "noise_shape_spec", "data_format", "scale", "fill", "compression", "compression_level",
            "deflate_block_size",
            "rng", "keras_call", "keras_layer", "output_dtype", "deflate_engine", "isal_version", "isal_check",
            "npdrop_version", "reason", "input_size", "input_mtime_ns", "input_crc32c", "output_size",
            "output_crc32c", "mask_size", "mask_crc32c", "mask_format",
        ]
        #expect(ManifestRecord.fieldNames == contract + extras)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Set(object.keys) == Set(contract + extras))
        // Keys appear in this order in the text.
        var position = line.startIndex
        for key in contract + extras {
            let range = try #require(line.range(of: "\"\(key)\":", range: position..<line.endIndex), "\(key)")
            position = range.upperBound
        }
        // JSONEncoder (Codable) gives the same keys, nulls included.
        let encoded = try JSONEncoder().encode(ManifestTests.record(member: nil, status: .error))
        let viaCodable = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        #expect(Set(viaCodable.keys) == Set(contract + extras))
    }

    @Test func seedIsAnExactIntegerLiteral() throws {
        let line = ManifestTests.record(seed: 18_446_744_073_709_551_615).jsonLine
        #expect(line.contains("\"seed\":18446744073709551615,"))
        #expect(!line.contains("e+19"))
        let back = try JSONDecoder().decode(ManifestRecord.self, from: Data(line.utf8))
        #expect(back.seed == UInt64.max)
        if let out = try python(
            "import json,sys; r=json.loads(sys.argv[1]); print(r['seed'] == 2**64-1, type(r['seed']).__name__, r['member'], r['error'])",
            arguments: [line])
        {
            #expect(out == "True int x.npy None\n")
        }
    }

    @Test func canonicalLineSurvivesARoundTrip() throws {
        let tricky = ManifestRecord(
            input: "dir \"q\"\\/\u{1}tab\tnl\né日本.npz", member: "ü\u{7F}.npy", copy: 12, output: "copy-12/data/x",
            mask: nil,
            outputMember: "ü\u{7F}.npy", maskMember: nil, variant: nil, rate: 1e-05, noiseShape: nil, shape: [],
            dtype: "|b1",
            fortranOrder: true, seed: 0, spawnKey: [12, 3, 0xFFFF_FFFF], status: .copied, error: nil,
            noiseShapeSpec: "", dataFormat: nil, scale: nil, fill: "nan", compression: "store")
        let line = tricky.jsonLine
        #expect(!line.contains("\n"))
        let back = try JSONDecoder().decode(ManifestRecord.self, from: Data(line.utf8))
        #expect(back == tricky)
        #expect(back.jsonLine.utf8.elementsEqual(line.utf8))
        for value in [0.1, 0.5, 1.0, 0.0, 1e-05, 0.3333333333333333, Double.leastNonzeroMagnitude, 0.9999999999999999] {
            var record = tricky
            record.rate = value
            let decoded = try JSONDecoder().decode(ManifestRecord.self, from: Data(record.jsonLine.utf8))
            #expect(decoded.rate == value)
        }
        if let out = try python(
            "import json,sys; r=json.loads(sys.argv[1]); print(repr(r['input']), r['rate'], r['copy'])",
            arguments: [line])
        {
            #expect(out == "'dir \"q\"\\\\/\\x01tab\\tnl\\né日本.npz' 1e-05 12\n")
        }
    }

    @Test func spawnKeyFollowsTheContract() throws {
        // b = "a.npy" = 61 2e 6e 70 79 → words 0x706e2e61, 0x79
        #expect(ArrayKey(relpath: "a.npy", member: nil).spawnKey(copy: 0) == [0, 5, 0x706E_2E61, 0x79])
        // "d/x.npz\0y.npy": 13 bytes → "d/x." "npz\0" "y.np" "y"
        #expect(
            ArrayKey(relpath: "d/x.npz", member: "y.npy").spawnKey(copy: 2)
                == [2, 13, 0x2E78_2F64, 0x007A_706E, 0x706E_2E79, 0x79])
        let script = """
            import sys, numpy as np
            key = sys.argv[1].encode() + b"\\0" + sys.argv[2].encode()
            b = key + b"\\0" * (-len(key) % 4)
            print([2, len(key)] + [int(w) for w in np.frombuffer(b, dtype="<u4")])
            """
        if let out = try python(script, arguments: ["dir/日本.npz", "m.npy"], needsNumpy: true) {
            let swift = ArrayKey(relpath: "dir/日本.npz", member: "m.npy").spawnKey(copy: 2)
            #expect(out == "[" + swift.map(String.init).joined(separator: ", ") + "]\n")
        }
    }

    @Test func sortOrderIsInputMemberCopyByBytes() {
        let records = [
            ManifestTests.record(input: "b.npz", member: "y.npy", copy: 10),
            ManifestTests.record(input: "b.npz", member: "y.npy", copy: 2),
            ManifestTests.record(input: "b.npz", member: nil, copy: 0, status: .error),
            ManifestTests.record(input: "a!.npy", member: nil),
            ManifestTests.record(input: "a.npy", member: nil),
            ManifestTests.record(input: "b.npz", member: "X.npy", copy: 0),
            ManifestTests.record(input: "é.npy", member: nil),
            ManifestTests.record(input: "z.npy", member: nil),
        ]
        let sorted = ManifestFiles.sorted(records)
        #expect(
            sorted.map { "\($0.input)|\($0.member ?? "-")|\($0.copy)" } == [
                "a!.npy|-|0", "a.npy|-|0", "b.npz|-|0", "b.npz|X.npy|0", "b.npz|y.npy|2", "b.npz|y.npy|10", "z.npy|-|0",
                "é.npy|-|0",
            ])
    }

    @Test func readingAKilledRunsLogSkipsTheCutOffLine() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let first = ManifestTests.record(input: "a.npy", member: nil)
        var second = ManifestTests.record(input: "b.npy", member: nil)
        var newer = first
        newer.rate = 0.75
        var bytes = ManifestFiles.encode([first, second, newer])
        second.input = "c.npy"
        bytes += Array(second.jsonLine.utf8.prefix(40))  // killed mid-write
        let path = scratch.write("manifest.jsonl", bytes)
        let contents = try #require(try ManifestFiles.read(path: path))
        #expect(contents.records.count == 3)
        #expect(contents.invalidLines == 1)
        #expect(contents.latestRecords.map(\.input) == ["a.npy", "b.npy"])
        #expect(contents.latestRecords[0].rate == 0.75)
        #expect(try ManifestFiles.read(path: scratch.sub("missing.jsonl")) == nil)
    }

    @Test func mergeRefusesMissingShardsAndLinesThatAreNotRecords() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        func complete(_ index: Int, records: Int) throws {
            let shard = try ShardSpec(index: index, count: 3)
            try ShardCompletion(
                shard: shard, complete: true, files: records, tasks: records, resumedTasks: 0, records: records,
                ok: records, copied: 0, errors: 0, inputFiles: 1, inputDigest: "0", settings: ["seed": "1"]
            )
            .write(outputDirectory: scratch.path, shard: shard)
        }
        scratch.write("manifest-shard-0-of-3.jsonl", ManifestFiles.encode([ManifestTests.record()]))
        try complete(0, records: 1)
        scratch.write("manifest-shard-2-of-3.jsonl", [])
        try complete(2, records: 0)
        #expect(
            throws: IncompleteShards(lines: [
                "shard 1/3: missing (no manifest-shard-1-of-3.jsonl): run shard 1",
                "cannot merge '\(scratch.path)': 1 of 3 shards are not complete; rerun shard 1 of 3 (the same command with --resume: finished files are skipped), then merge again",
            ])
        ) {
            try ManifestFiles.merge(outputDirectory: scratch.path)
        }
        scratch.write("manifest-shard-1-of-3.jsonl", Array("{\"input\":".utf8))
        try complete(1, records: 0)
        #expect(throws: IncompleteShards.self) { try ManifestFiles.merge(outputDirectory: scratch.path) }
        scratch.write("manifest-shard-1-of-3.jsonl", [])
        #expect(try ManifestFiles.merge(outputDirectory: scratch.path) == 1)
        #expect(readBytes(scratch.sub("manifest.jsonl")) == ManifestFiles.encode([ManifestTests.record()]))
    }
}
