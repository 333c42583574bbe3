import Foundation
import NPDropTestSupport
import Testing

/// The sizes and CRC-32C values a run records (computed while the bytes stream through, never
/// read back when every byte passed) equal the checksums of the files on disk, computed here
/// one byte at a time: inputs, `.npy` outputs written as parallel segments, masks (bool and
/// packed), npz outputs stored and deflated, augmentation copies, arrays and files copied
/// unchanged — with one and two workers, whole files and many segments per file.
@Suite struct RunChecksumCLITests {
    /// Float arrays (one with bytes after its data), a spatial1d rule, npz archives, an integer
    /// array copied by the default `--dtypes`, and files that are not arrays.
    private func dataset(_ input: ScratchDirectory, config: ScratchDirectory) throws -> String {
        try input.write(
            NPYBytes.file(descr: "<f4", shape: [64, 1000], data: NPYBytes.float32(count: 64_000, seed: 1)),
            to: "a.npy")
        var trailing = NPYBytes.file(descr: "<f4", shape: [300_001], data: NPYBytes.float32(count: 300_001, seed: 2))
        trailing.append(Data("trailing bytes".utf8))
        try input.write(trailing, to: "deep/trailing.npy")
        try input.write(
            NPYBytes.file(
                descr: "<f8", shape: [4, 50_000, 3],
                data: NPYBytes.bytes(count: 4 * 50_000 * 3 * 8, seed: 3)
                    .map { $0 & 0x3F }.withUnsafeBufferPointer { Data($0) }),
            to: "spatial/channels.npy")
        try input.write(
            NPYBytes.file(descr: "|u1", shape: [5000], data: NPYBytes.bytes(count: 5000, seed: 4)), to: "labels.npy")
        for name in ["savez_stored.npz", "savez_compressed.npz", "data_descriptor.npz"] {
            try input.write(Data(contentsOf: RunDatasets.npzFixtures.appendingPathComponent(name)), to: "z/\(name)")
        }
        // Members bigger than the zip writer's 1 MiB buffer: their local headers are patched in
        // the file after the data went out (an overwrite of bytes already checksummed).
        let big = NPYBytes.file(descr: "<f4", shape: [400_000], data: NPYBytes.float32(count: 400_000, seed: 5))
        let ids = NPYBytes.file(descr: "<i4", shape: [10], data: NPYBytes.bytes(count: 40, seed: 6))
        try input.write(
            StoredZip.archive([("big.npy", big), ("ids.npy", ids), ("big2.npy", big)], comment: Data("c".utf8)),
            to: "z/big.npz")
        try input.write(Data(String(repeating: "notes\n", count: 30_000).utf8), to: "notes.txt")
        try input.write(Data(), to: "empty.bin")
        try config.write(
            Data(#"{"rules": [{"match": "spatial/*.npy", "variant": "spatial1d"}]}"#.utf8), to: "config.json")
        return config.path("config.json")
    }

    private func checksum(_ path: String) throws -> (size: Int, crc: UInt32) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return (data.count, BitwiseCRC32C.checksum(data))
    }

    /// Checks every record's `*_size` / `*_crc32c` against the files; returns how many were checked.
    private func checkRecords(input: String, out: String, label: String) throws -> Int {
        var checked = 0
        var seen = Set<String>()
        for record in try ManifestLines.records(at: out + "/manifest.jsonl") {
            let fields: [(String, String?)] = [
                ("input", (record["input"] as? String).map { input + "/" + $0 }),
                ("output", (record["output"] as? String).map { out + "/" + $0 }),
                ("mask", (record["mask"] as? String).map { out + "/" + $0 }),
            ]
            for (field, path) in fields {
                guard let path, let crc = record["\(field)_crc32c"] as? NSNumber else { continue }
                let size = record["\(field)_size"] as? NSNumber
                guard seen.insert(field + path).inserted else { continue }
                let actual = try checksum(path)
                #expect(crc.uint32Value == actual.crc, "\(label): \(field) \(path)")
                #expect(size?.intValue == actual.size, "\(label): \(field) size \(path)")
                checked += 1
            }
        }
        return checked
    }

    @Test(arguments: [
        ["--jobs", "1"],
        ["--jobs", "2", "--segment-bytes", "65536", "--copies", "2", "--compress"],
        ["--jobs", "2", "--segment-bytes", "131072", "--mask-format", "packbits", "--store"],
        ["--jobs", "1", "--no-masks", "--dtypes", "all"],
    ])
    func recordedChecksumsAreThoseOfTheFilesOnDisk(_ options: [String]) throws {
        let input = try ScratchDirectory("in")
        let scratch = try ScratchDirectory("out")
        let config = try dataset(input, config: scratch)
        let out = scratch.path("o")
        let result = try CLIRunner.run(
            [
                "run", input.url.path, "--output", out, "--rate", "0.4", "--seed", "17", "--quiet",
                "--config", config,
            ] + options)
        #expect(result.status == 0, "\(result.stderr)")
        let checked = try checkRecords(input: input.url.path, out: out, label: options.joined(separator: " "))
        // Ten inputs once; ten outputs per copy; masks (three .npy files, three float npz
        // archives) unless --no-masks.
        let copies = options.contains("--copies") ? 2 : 1
        let masks = options.contains("--no-masks") ? 0 : 6
        #expect(checked == 10 + copies * (10 + masks), "\(checked) files checked")
        let quick = try CLIRunner.run(["verify", "--quick", input.url.path, out])
        #expect(quick.status == 0, "\(quick.stdout)\(quick.stderr)")
    }
}
