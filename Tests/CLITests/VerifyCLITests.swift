import Foundation
import Testing

/// `npdrop verify INPUT OUT` as a binary.
@Suite struct VerifyCLITests {
    private static let settings = ["--rate", "0.3", "--seed", "5", "--members", "floats,ints,arr_0"]

    private func flipByte(_ path: String, at offset: Int) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[data.startIndex + offset] ^= 0x40
        try data.write(to: URL(fileURLWithPath: path))
    }

    @Test func passesOnAGoodRunAndNamesEveryAlteredFile() throws {
        let input = try ScratchDirectory("in")
        try RunDatasets.mixed(at: input)
        let out = try ScratchDirectory("out")
        let run = try CLIRunner.run(["run", input.url.path, "--output", out.path("o"), "--quiet"] + Self.settings)
        #expect(run.status == 0, "\(run.stderr)")

        let good = try CLIRunner.run(["verify", input.url.path, out.path("o")])
        #expect(good.status == 0, "\(good.stderr)")
        let records = try ManifestLines.records(at: out.path("o/manifest.jsonl")).count
        #expect(good.stderr.hasPrefix("npdrop: verify: \(records) records in "), "\(good.stderr)")
        #expect(good.stderr.contains(" files: all match ("))

        try flipByte(out.path("o/data/gen/big_f4.npy"), at: 5000)
        let data = try CLIRunner.run(["verify", input.url.path, out.path("o"), "--quiet"])
        #expect(data.status == 1)
        #expect(data.stderr == "npdrop: data/gen/big_f4.npy: differs from the re-derived bytes at offset 5000\n")

        try flipByte(out.path("o/masks/npz/savez_compressed.npz"), at: 100)
        let mask = try CLIRunner.run(["verify", input.url.path, out.path("o"), "--quiet", "--jobs", "1"])
        #expect(mask.status == 1)
        #expect(mask.stderr == """
            npdrop: data/gen/big_f4.npy: differs from the re-derived bytes at offset 5000
            npdrop: masks/npz/savez_compressed.npz: differs from the re-derived bytes at offset 100

            """)
    }

    @Test func checksTheUnionOfShardManifests() throws {
        let input = try ScratchDirectory("in")
        try RunDatasets.mixed(at: input)
        let out = try ScratchDirectory("out")
        for index in 0..<2 {
            let shard = try CLIRunner.run(["run", input.url.path, "--output", out.path("o"), "--quiet", "--shard", "\(index)/2"]
                                          + Self.settings)
            #expect(shard.status == 0)
        }
        let verify = try CLIRunner.run(["verify", input.url.path, out.path("o"), "--quiet"])
        #expect(verify.status == 0, "\(verify.stderr)")
        try FileManager.default.removeItem(atPath: out.path("o/data/gen/images.npy"))
        let missing = try CLIRunner.run(["verify", input.url.path, out.path("o"), "--quiet"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "npdrop: data/gen/images.npy: missing from OUT\n")
    }

    @Test func usageErrorsExitTwo() throws {
        let input = try ScratchDirectory("in")
        let out = try ScratchDirectory("out")
        let result = try CLIRunner.run(["verify", input.url.path, out.url.path])
        #expect(result.status == 2)
        #expect(result.stderr == "npdrop: OUT '\(out.url.path)' has no manifest.jsonl or manifest-shard-<I>-of-<N>.jsonl\n")
        let merge = try CLIRunner.run(["merge-manifests", out.url.path])
        #expect(merge.status == 2)
        #expect(merge.stderr == "npdrop: no manifest-shard-<I>-of-<N>.jsonl in '\(out.url.path)'\n")
    }
}
