import Foundation
import NPDropTestSupport
import Testing

/// `npdrop run` against the NumPy reference (`python/npdrop_ref.py`) and the contract's
/// three-line mask recipe, with live `python3` + NumPy.
@Suite struct RunNumPyCLITests {
    /// For every record of OUT/manifest.jsonl: the mask file equals the §3.2 recipe (the three
    /// lines, nothing else), the result and mask bytes equal `np.save` of `npdrop_ref.dropout`,
    /// copied members equal the input's bytes, and every output archive passes zipfile's test.
    /// Prints `ok <records>` or one line per problem.
    static let checker = #"""
        import io, json, os, sys, zipfile
        import numpy as np
        sys.path.insert(0, sys.argv[3])
        import npdrop_ref as ref

        inp, out = sys.argv[1], sys.argv[2]
        problems, count = [], 0

        def member_bytes(path, name):
            with zipfile.ZipFile(path) as z:
                return z.read(name)

        def saved(a):
            b = io.BytesIO()
            np.save(b, a)
            return b.getvalue()

        for line in open(os.path.join(out, "manifest.jsonl"), encoding="utf-8"):
            rec = json.loads(line)
            count += 1
            where = f'{rec["input"]} {rec["member"]} copy {rec["copy"]}'
            if rec["status"] == "error":
                problems.append(f"{where}: error {rec['error']}")
                continue
            if rec["member"] is None:
                original = open(os.path.join(inp, rec["input"]), "rb").read()
                result = open(os.path.join(out, rec["output"]), "rb").read()
            else:
                original = member_bytes(os.path.join(inp, rec["input"]), rec["member"])
                result = member_bytes(os.path.join(out, rec["output"]), rec["output_member"])
            if rec["status"] == "copied":
                if result != original:
                    problems.append(f"{where}: copied member differs")
                continue
            # The contract's recipe, as a user would type it:
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(rec["seed"], spawn_key=rec["spawn_key"])))
            keep = rng.random(rec["noise_shape"]) >= rec["rate"]
            if rec["member"] is None:
                mask = open(os.path.join(out, rec["mask"]), "rb").read()
            else:
                mask = member_bytes(os.path.join(out, rec["mask"]), rec["mask_member"])
            if mask != saved(keep):
                problems.append(f"{where}: mask differs from the recipe")
            x = np.load(io.BytesIO(original))
            key = rec["input"] if rec["member"] is None else rec["input"] + "\0" + rec["member"]
            spec = None if rec["noise_shape_spec"] is None else ref.parse_noise_spec(rec["noise_shape_spec"])
            y, keep2, r2 = ref.dropout(x, rec["seed"], key, rec["rate"], variant=rec["variant"], spec=spec,
                                       data_format=rec["data_format"], no_scale=not rec["scale"], fill=rec["fill"],
                                       copy=rec["copy"])
            if result != saved(y):
                problems.append(f"{where}: result differs from npdrop_ref")
            if r2["spawn_key"] != rec["spawn_key"] or r2["noise_shape"] != rec["noise_shape"] or list(x.shape) != rec["shape"]:
                problems.append(f"{where}: record fields differ from npdrop_ref: {r2}")
            if x.dtype.str != rec["dtype"] and not (x.dtype.str[1:] == rec["dtype"][1:] and x.dtype.itemsize == 1):
                problems.append(f"{where}: dtype {x.dtype.str} recorded as {rec['dtype']}")

        for root, _, files in os.walk(out):
            for name in files:
                if name.endswith(".npz"):
                    with zipfile.ZipFile(os.path.join(root, name)) as z:
                        if z.testzip() is not None:
                            problems.append(f"{name}: zipfile test failed")
        print("\n".join(problems) if problems else f"ok {count}")
        """#

    /// Runs the checker on OUT and returns what it printed.
    static func check(_ input: String, _ output: String) throws -> String {
        let script = CLIRunner.packageRoot.appendingPathComponent("python").path
        return String(decoding: try LiveNumPy.run(Self.checker, arguments: [input, output, script]), as: UTF8.self)
    }

    @Test(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
    func resultsAndMasksEqualTheNumPyReference() throws {
        let input = try ScratchDirectory("in")
        let names = [
            "le_f4_C_r3.npy", "be_f8_F_r3.npy", "le_f2_C_r4.npy", "le_c8_F_r2.npy", "be_c16_C_r3.npy",
            "le_i4_C_r2.npy", "na_u1_C_r3.npy", "na_b1_C_r2.npy", "le_u8_F_r4.npy", "empty_c8_C_2x0x3.npy",
        ]
        for name in names {
            try input.write(Data(contentsOf: CLIRunner.fixtures.appendingPathComponent(name)), to: "fixtures/\(name)")
        }
        try input.write(
            NPYBytes.file(descr: "<f4", shape: [5, 7, 9, 4], data: NPYBytes.float32(count: 5 * 7 * 9 * 4, seed: 8)),
            to: "images/batch.npy")
        try input.write(
            NPYBytes.file(
                descr: "<f4", shape: [12, 10, 6], fortran: true, data: NPYBytes.float32(count: 720, seed: 6)),
            to: "images/sequence.npy")
        for name in ["savez_stored.npz", "savez_compressed.npz", "names.npz"] {
            try input.write(Data(contentsOf: RunDatasets.npzFixtures.appendingPathComponent(name)), to: "npz/\(name)")
        }
        let config = #"""
            {"rules": [
              {"match": "images/batch.npy", "variant": "spatial2d", "data_format": "channels_first", "rate": 0.5},
              {"match": "images/sequence.npy", "variant": "spatial1d", "no_scale": true},
              {"match": "fixtures/le_f2_*", "variant": "alpha", "rate": 0.2},
              {"match": "fixtures/le_i4_*", "fill": -7},
              {"match": "fixtures/be_f8_*", "noise_shape": "None,1,None", "fill": 2.5},
              {"match": "npz/*.npz", "member": "floats", "variant": "alpha", "rate": 0.1}
            ]}
            """#
        let settings = try ScratchDirectory("config")
        try settings.write(Data(config.utf8), to: "config.json")
        let configFile = settings.path("config.json")

        let out = try ScratchDirectory("out")
        let result = try CLIRunner.run([
            "run", input.url.path, "--output", out.path("o"), "--rate", "0.35", "--seed",
            "18446744073709551557", "--copies", "2", "--members", "floats,ints,flags,données,values",
            "--config", configFile, "--quiet", "--jobs", "2", "--dtypes", "all",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        // The CLI's --rate wins over the rules' rates; variants, formats and fills come from them.
        let records = try ManifestLines.records(at: out.path("o/manifest.jsonl"))
        #expect(records.count == 2 * (names.count + 2 + 7 + 7 + 2))
        #expect(records.allSatisfy { $0["status"] as? String == "copied" || $0["rate"] as? Double == 0.35 })
        #expect(
            records.contains { $0["variant"] as? String == "spatial2d" && $0["noise_shape"] as? [Int] == [5, 7, 1, 1] })
        #expect(try Self.check(input.url.path, out.path("o")) == "ok \(records.count)\n")

        let compressed = try CLIRunner.run([
            "run", input.path("npz"), "--output", out.path("c"), "--rate", "0.6",
            "--seed", "3", "--compress", "--compression-level", "1", "--quiet",
        ])
        #expect(compressed.status == 0, "\(compressed.stderr)")
        #expect(try Self.check(input.path("npz"), out.path("c")) == "ok 16\n")
        let stored = try CLIRunner.run([
            "run", input.path("npz"), "--output", out.path("s"), "--rate", "0.6",
            "--seed", "3", "--store", "--quiet", "--members", "zeros",
        ])
        #expect(stored.status == 0, "\(stored.stderr)")
        #expect(try Self.check(input.path("npz"), out.path("s")) == "ok 16\n")
        let methods = try LiveNumPy.run(
            """
            import sys, zipfile
            for p in sys.argv[1:]:
                print(sorted({i.compress_type for i in zipfile.ZipFile(p).infolist()}))
            """,
            arguments: [
                out.path("c/data/savez_stored.npz"), out.path("s/data/savez_compressed.npz"),
                out.path("s/masks/savez_compressed.npz"),
            ])
        #expect(String(decoding: methods, as: UTF8.self) == "[8]\n[0]\n[0]\n")
    }
}
