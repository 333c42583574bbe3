import Foundation
import NPDropTestSupport
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
        // A deflated archive is compared by content while it streams: the damaged member inflates
        // to other bytes (or no longer inflates, depending on where the flip lands).
        let lines = mask.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(mask.stderr)")
        #expect(lines.first == "npdrop: data/gen/big_f4.npy: differs from the re-derived bytes at offset 5000")
        let member = "npdrop: masks/npz/savez_compressed.npz: member 'floats.npy' "
        #expect(
            lines.last?.hasPrefix(member + "differs from the re-derived bytes at offset ") == true
                || lines.last?.hasPrefix(member + "cannot be compared: ") == true, "\(mask.stderr)")
    }

    @Test func checksTheUnionOfShardManifests() throws {
        let input = try ScratchDirectory("in")
        try RunDatasets.mixed(at: input)
        let out = try ScratchDirectory("out")
        for index in 0..<2 {
            let shard = try CLIRunner.run(
                ["run", input.url.path, "--output", out.path("o"), "--quiet", "--shard", "\(index)/2"]
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
        #expect(
            result.stderr == "npdrop: OUT '\(out.url.path)' has no manifest.jsonl or manifest-shard-<I>-of-<N>.jsonl\n")
        let merge = try CLIRunner.run(["merge-manifests", out.url.path])
        #expect(merge.status == 2)
        #expect(merge.stderr == "npdrop: no manifest-shard-<I>-of-<N>.jsonl in '\(out.url.path)'\n")
    }
}

/// `verify` compares deflated members by content: an output re-deflated by another deflater passes,
/// a changed array does not.
@Suite(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
struct VerifyByContentCLITests {
    @Test func anotherDeflaterIsNoMismatch() throws {
        let input = try ScratchDirectory("in")
        _ = try LiveNumPy.run(
            """
            import sys
            import numpy as np
            rng = np.random.default_rng(2)
            np.savez_compressed(sys.argv[1], x=rng.standard_normal((300, 1000)).astype(np.float32), k=np.arange(10))
            """, arguments: [input.path("a.npz")])
        let out = try ScratchDirectory("out")
        let run = try CLIRunner.run([
            "run", input.path("a.npz"), "--output", out.path("o"), "--rate", "0.5", "--seed", "3",
            "--quiet",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        // Re-deflate every member at zlib level 9 with Python's zipfile, same names, order and time.
        let rewrite = """
            import sys, zipfile
            src, dst, change = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
            with zipfile.ZipFile(src) as z:
                members = [(i, z.read(i)) for i in z.infolist()]
            with zipfile.ZipFile(dst, "w") as w:
                for info, data in members:
                    if change and info.filename == "x.npy":
                        data = data[:-1] + bytes([data[-1] ^ 1])
                    n = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
                    n.compress_type = zipfile.ZIP_DEFLATED
                    w.writestr(n, data, compresslevel=9)
            """
        _ = try LiveNumPy.run(rewrite, arguments: [out.path("o/data/a.npz"), out.path("other.npz"), "0"])
        try FileManager.default.removeItem(atPath: out.path("o/data/a.npz"))
        try FileManager.default.copyItem(atPath: out.path("other.npz"), toPath: out.path("o/data/a.npz"))
        let same = try CLIRunner.run(["verify", input.path("a.npz"), out.path("o"), "--quiet"])
        #expect(same.status == 0, "\(same.stderr)")

        _ = try LiveNumPy.run(rewrite, arguments: [out.path("other.npz"), out.path("changed.npz"), "1"])
        try FileManager.default.removeItem(atPath: out.path("o/data/a.npz"))
        try FileManager.default.copyItem(atPath: out.path("changed.npz"), toPath: out.path("o/data/a.npz"))
        let changed = try CLIRunner.run(["verify", input.path("a.npz"), out.path("o"), "--quiet"])
        #expect(changed.status == 1)
        #expect(changed.stderr.hasPrefix("npdrop: data/a.npz: member 'x.npy' has CRC-32 "), "\(changed.stderr)")
    }
}
