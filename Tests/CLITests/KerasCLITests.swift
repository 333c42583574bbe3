import Foundation
import NPDropTestSupport
import Testing

/// `npdrop apply --rng keras-numpy|keras-jax` through the real binary, compared byte for byte
/// with what live Keras returns: one python3 process per backend writes random cases and
/// Keras's results (`np.save`), then every case runs through `npdrop apply` with and without
/// `--keras-layer`.
@Suite struct KerasCLITests {
    /// Writes `count` random cases into `directory` under `backend`: `x<i>.npy`, Keras's op result
    /// `op<i>.npy` (seed state `[S, K]`), its layer result `layer<i>.npy` (call K of a seeded
    /// Dropout / SpatialDropout1D/2D/3D), and `cases.json` with npdrop's arguments per case.
    static let generator = #"""
        import json, sys
        import numpy as np, keras
        directory, count, salt = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        rng = np.random.default_rng(salt)
        cases = []
        for i in range(count):
            kind = ["dropout", "dropout", "spatial1d", "spatial2d", "spatial3d"][i % 5]
            fmt = "channels_first" if kind in ("spatial2d", "spatial3d") and rng.random() < 0.5 else "channels_last"
            rank = {"spatial1d": 3, "spatial2d": 4, "spatial3d": 5}.get(kind) or int(rng.integers(2, 6))
            shape = tuple(int(v) for v in rng.integers(1, 6, rank))
            dtype = ("<f2", "<f4", "<f8")[i % 3]
            x = (rng.standard_normal(shape) * 4).astype(dtype)
            rate = float(rng.choice([0.0, 0.1, 0.5, 0.77, 1.0, float(rng.random())]))
            seed, call = int(rng.integers(0, 2**32)), int(rng.integers(0, 4))
            args = ["--rate", repr(rate), "--seed", str(seed), "--keras-call", str(call)]
            if kind == "dropout":
                noise = tuple(None if rng.random() < 0.4 else (1 if rng.random() < 0.5 else d) for d in shape)
                layer = keras.layers.Dropout(rate, noise_shape=noise, seed=seed)
                args += ["--noise-shape", ",".join("None" if n is None else str(n) for n in noise)]
                op_noise = noise
            else:
                channels_first = fmt == "channels_first"
                op_noise = tuple(d if a == 0 or a == (1 if channels_first else rank - 1) else 1 for a, d in enumerate(shape))
                if kind == "spatial1d":
                    layer = keras.layers.SpatialDropout1D(rate, seed=seed)
                else:
                    cls = keras.layers.SpatialDropout2D if kind == "spatial2d" else keras.layers.SpatialDropout3D
                    layer = cls(rate, data_format=fmt, seed=seed)
                args += ["--variant", kind, "--data-format", fmt]
            for _ in range(call + 1):
                from_layer = np.asarray(layer(x, training=True))
            seeds = keras.random.SeedGenerator(seed)
            for _ in range(call):
                seeds.next()
            from_op = np.asarray(keras.random.dropout(x, rate, noise_shape=op_noise, seed=seeds))
            np.save(f"{directory}/x{i}.npy", x)
            np.save(f"{directory}/op{i}.npy", np.ascontiguousarray(from_op))
            np.save(f"{directory}/layer{i}.npy", np.ascontiguousarray(from_layer))
            cases.append({"args": args, "what": f"{kind} {fmt} {shape} {dtype} rate {rate} seed {seed} call {call}"})
        json.dump(cases, open(f"{directory}/cases.json", "w"))
        """#

    struct Case: Decodable {
        var args: [String]
        var what: String
    }

    private func compare(backend: String, salt: Int) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "npdrop-keras-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try LiveKeras.run(Self.generator, backend: backend, arguments: [directory.path, "24", "\(salt)"])
        let cases = try JSONDecoder().decode(
            [Case].self, from: Data(contentsOf: directory.appendingPathComponent("cases.json")))
        #expect(cases.count == 24)
        for (i, testCase) in cases.enumerated() {
            let input = directory.appendingPathComponent("x\(i).npy").path
            for layer in [false, true] {
                let name = layer ? "layer\(i)" : "op\(i)"
                let output = directory.appendingPathComponent("\(name).npdrop.npy")
                let result = try CLIRunner.run(
                    ["apply", input, output.path, "--rng", "keras-\(backend)"] + testCase.args
                        + (layer ? ["--keras-layer"] : []))
                #expect(
                    result.status == 0 && result.stderr == "", "\(backend) \(name) \(testCase.what): \(result.stderr)")
                let expected = try Data(contentsOf: directory.appendingPathComponent("\(name).npy"))
                let got = (try? Data(contentsOf: output)) ?? Data()
                #expect(
                    got == expected, "\(backend) \(layer ? "layer" : "op") \(testCase.what): npdrop differs from Keras")
            }
        }
    }

    @Test(.enabled(if: LiveKeras.isAvailable, "python3 with keras and jax is not available"))
    func kerasNumPyBackendBitForBit() throws {
        try compare(backend: "numpy", salt: 16)
    }

    @Test(.enabled(if: LiveKeras.isAvailable, "python3 with keras and jax is not available"))
    func kerasJAXBackendBitForBit() throws {
        try compare(backend: "jax", salt: 61)
    }

    @Test func kerasUsageErrors() throws {
        let input = CLIRunner.fixtures.appendingPathComponent("le_f4_C_r2.npy").path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("npdrop-keras-\(UUID().uuidString).npy")
            .path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let big = try CLIRunner.run([
            "apply", input, out, "--rate", "0.5", "--rng", "keras-jax", "--seed", "4294967296",
        ])
        #expect(big.status == 2)
        #expect(
            big.stderr.contains("needs a seed in [0, 2^32) (Keras seeds are uint32), found 4294967296"), "\(big.stderr)"
        )
        let orphan = try CLIRunner.run(["apply", input, out, "--rate", "0.5", "--keras-call", "3", "--seed", "1"])
        #expect(orphan.status == 2)
        #expect(
            orphan.stderr.contains("--keras-call and --keras-layer need --rng keras-numpy or --rng keras-jax"),
            "\(orphan.stderr)")
        let integers = CLIRunner.fixtures.appendingPathComponent("le_i4_C_r2.npy").path
        let refused = try CLIRunner.run([
            "apply", "--dtypes", "all", integers, out, "--rate", "0.5", "--rng", "keras-jax", "--seed", "1",
        ])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--rng keras-jax does not apply to dtype <i4"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// `run` makes file `f` of the sorted list call `K + f` (copy `c`: `K + c * F + f`), whatever
    /// the shard: each result equals `apply --keras-call K+f`, and the manifest says so.
    @Test func runCallIndexIsTheGlobalSortedPosition() throws {
        let root = try ScratchDirectory("keras-run")
        let names = ["a.npy", "b/c.npy", "d.npy"]
        for (i, name) in names.enumerated() {
            try root.write(
                NPYBytes.file(descr: "<f4", shape: [4, 6], data: NPYBytes.float32(count: 24, seed: UInt64(i))),
                to: "in/" + name)
        }
        let common = [
            "--rate", "0.4", "--seed", "99", "--rng", "keras-jax", "--keras-layer", "--keras-call", "5", "--copies",
            "2",
        ]
        for shard in ["0/2", "1/2"] {
            let result = try CLIRunner.run(
                ["run", root.path("in"), "-o", root.path("out"), "--shard", shard, "--quiet"] + common)
            #expect(result.status == 0, "\(result.stderr)")
        }
        for (f, name) in names.enumerated() {
            for copy in 0..<2 {
                let call = 5 + copy * names.count + f
                let expected = root.path("expected-\(f)-\(copy).npy")
                let applied = try CLIRunner.run([
                    "apply", root.path("in/" + name), expected, "--rate", "0.4", "--seed", "99",
                    "--rng", "keras-jax", "--keras-layer", "--keras-call", "\(call)",
                ])
                #expect(applied.status == 0, "\(applied.stderr)")
                let got = try Data(contentsOf: URL(fileURLWithPath: root.path("out/copy-\(copy)/data/" + name)))
                #expect(got == (try Data(contentsOf: URL(fileURLWithPath: expected))), "\(name) copy \(copy)")
            }
        }
        let manifests = try FileManager.default.contentsOfDirectory(atPath: root.path("out"))
            .filter { $0.hasSuffix(".jsonl") && $0.contains("shard") }
        var calls: [String: Int] = [:]
        for manifest in manifests {
            let text = try String(contentsOfFile: root.path("out/" + manifest), encoding: .utf8)
            for line in text.split(separator: "\n") {
                guard let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let input = record["input"] as? String, let copy = record["copy"] as? Int
                else { continue }
                #expect(record["rng"] as? String == "keras-jax")
                #expect(record["keras_layer"] as? Bool == true)
                calls["\(input) \(copy)"] = record["keras_call"] as? Int
            }
        }
        #expect(calls == ["a.npy 0": 5, "b/c.npy 0": 6, "d.npy 0": 7, "a.npy 1": 8, "b/c.npy 1": 9, "d.npy 1": 10])
    }
}
