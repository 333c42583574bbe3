import Foundation
import NPDropTestSupport
import Testing

/// `npdrop run --mask-format packbits`: every mask is `np.packbits(keep.ravel())`, the bool mask
/// of the same run packed (checked with live NumPy), recorded as `mask_format` and verified.
@Suite(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
struct RunMaskFormatCLITests {
    @Test func packedMasksUnpackToTheBoolMasks() throws {
        let input = try ScratchDirectory("masks-in")
        _ = try LiveNumPy.run(
            """
            import sys
            import numpy as np
            rng = np.random.default_rng(4)
            np.save(sys.argv[1] + "/odd.npy", rng.standard_normal((7, 13, 3)).astype(np.float32))
            np.save(sys.argv[1] + "/big.npy", rng.standard_normal((300, 1001)).astype(np.float32))
            np.savez_compressed(sys.argv[1] + "/pair.npz", a=rng.standard_normal((5, 9)).astype(np.float32),
                                b=rng.standard_normal((64, 3, 3)).astype(np.float16), c=np.arange(5, dtype=np.int16))
            np.savez(sys.argv[1] + "/empty.npz", e=np.zeros((0, 4), np.float32))
            """, arguments: [input.url.path])
        let out = try ScratchDirectory("masks-out")
        for (name, extra) in [("bool", [String]()), ("packed", ["--mask-format", "packbits"])] {
            // Small segments: the .npy files are split, the packed mask is still whole.
            let result = try CLIRunner.run(
                [
                    "run", input.url.path, "--output", out.path(name), "--rate", "0.4",
                    "--seed", "9", "--segment-bytes", "4096", "--quiet",
                ] + extra)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let check = try LiveNumPy.run(
            """
            import json, sys
            import numpy as np
            bool_root, packed_root = sys.argv[1], sys.argv[2]
            records = [json.loads(l) for l in open(packed_root + "/manifest.jsonl")]
            assert all(r["mask_format"] == ("packbits" if r["mask"] else None) for r in records), records
            plain = [json.loads(l) for l in open(bool_root + "/manifest.jsonl")]
            assert all(r["mask_format"] == ("bool" if r["mask"] else None) for r in plain), plain
            records = [r for r in records if r["mask"]]
            def load(path, member):
                if member is None:
                    return np.load(path)
                with np.load(path) as z:
                    return z[member[:-4]]
            for r in records:
                m = load(packed_root + "/" + r["mask"], r["mask_member"])
                want = load(bool_root + "/" + r["mask"], r["mask_member"])
                n = int(np.prod(r["noise_shape"]))
                assert m.dtype == np.uint8 and m.shape == ((n + 7) // 8,), (r["input"], m.dtype, m.shape)
                assert np.array_equal(m, np.packbits(want.ravel())), r["input"]
                got = np.unpackbits(m, count=n).reshape(r["noise_shape"]).astype(bool)
                assert np.array_equal(got, want), r["input"]
            print("ok", len(records))
            """, arguments: [out.path("bool"), out.path("packed")])
        #expect(String(decoding: check, as: UTF8.self) == "ok 5\n")
        // The results do not depend on the mask format.
        for file in ["odd.npy", "big.npy"] {
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: out.path("bool/data/" + file)))
                    == (try Data(contentsOf: URL(fileURLWithPath: out.path("packed/data/" + file)))), "\(file)")
        }
        let verify = try CLIRunner.run(["verify", input.url.path, out.path("packed"), "--quiet"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let bad = try CLIRunner.run([
            "run", input.url.path, "--output", out.path("bad"), "--rate", "0.4", "--seed", "9",
            "--mask-format", "bits",
        ])
        #expect(
            bad.status == 2 && bad.stderr.contains("--mask-format must be bool or packbits, found 'bits'"),
            "\(bad.stderr)")
    }
}
