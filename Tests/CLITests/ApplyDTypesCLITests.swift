import Foundation
import NPDropTestSupport
import Testing

/// `npdrop apply --dtypes LIST` (an array not selected is copied unchanged, no mask, one stderr
/// line saying how to select it) and `--mask-format packbits` for `apply` and the config file's
/// `mask_format`, through the real binary; arrays checked with live NumPy.
@Suite(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
struct ApplyDTypesCLITests {
    private static func makeInputs(_ directory: ScratchDirectory) throws {
        _ = try LiveNumPy.run(
            """
            import sys
            import numpy as np
            d = sys.argv[1]
            rng = np.random.default_rng(11)
            np.save(d + "/ids.npy", np.arange(1, 41, dtype=np.int64).reshape(5, 8))
            np.save(d + "/labels.npy", np.array([7, 1, 5, 3, 2, 9], dtype=np.uint8))
            np.save(d + "/x.npy", rng.standard_normal((33, 17)).astype(np.float32))
            np.savez_compressed(d + "/pair.npz", x=rng.standard_normal((6, 5)).astype(np.float32),
                                y=np.arange(12, dtype=np.int16), z=np.array([1, 0, 1], dtype=np.uint8))
            """, arguments: [directory.url.path])
    }

    private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func unselectedNpyIsCopiedWithOneLineAndNoMask() throws {
        let dir = try ScratchDirectory("apply-dtypes")
        try Self.makeInputs(dir)
        let result = try CLIRunner.run([
            "apply", dir.path("ids.npy"), dir.path("out.npy"), "--mask", dir.path("mask.npy"),
            "--rate", "0.5", "--seed", "3",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try bytes(dir.path("out.npy")) == (try bytes(dir.path("ids.npy"))))
        #expect(!FileManager.default.fileExists(atPath: dir.path("mask.npy")))
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        let line = String(lines.first ?? "")
        #expect(
            line.contains(dir.path("ids.npy")) && line.contains("<i8") && line.contains("copied unchanged")
                && line.contains("--dtypes all") && line.contains("add int"), "\(line)")

        // Selected: by its class or by all, the array is transformed and its mask written.
        for list in ["int", "all", "float,int"] {
            let out = dir.path("out-\(list).npy"), mask = dir.path("mask-\(list).npy")
            let selected = try CLIRunner.run([
                "apply", dir.path("ids.npy"), out, "--mask", mask, "--rate", "0.5",
                "--seed", "3", "--dtypes", list,
            ])
            #expect(selected.status == 0 && selected.stderr.isEmpty, "\(list): \(selected.stderr)")
            #expect(try bytes(out) != (try bytes(dir.path("ids.npy"))), "\(list)")
            #expect(FileManager.default.fileExists(atPath: mask), "\(list)")
        }
        #expect(try bytes(dir.path("out-int.npy")) == (try bytes(dir.path("out-all.npy"))))

        // A float array is transformed by default, silently.
        let float = try CLIRunner.run(["apply", dir.path("x.npy"), dir.path("xo.npy"), "--rate", "0.5", "--seed", "3"])
        #expect(float.status == 0 && float.stderr.isEmpty, "\(float.stderr)")
        #expect(try bytes(dir.path("xo.npy")) != (try bytes(dir.path("x.npy"))))

        // Excluding floats copies them too, naming the class to add.
        let noFloat = try CLIRunner.run([
            "apply", dir.path("x.npy"), dir.path("xc.npy"), "--rate", "0.5", "--seed", "3",
            "--dtypes", "int,bool",
        ])
        #expect(noFloat.status == 0 && noFloat.stderr.contains("add float"), "\(noFloat.stderr)")
        #expect(try bytes(dir.path("xc.npy")) == (try bytes(dir.path("x.npy"))))

        let bad = try CLIRunner.run([
            "apply", dir.path("ids.npy"), dir.path("bad.npy"), "--rate", "0.5", "--dtypes", "ints",
        ])
        #expect(bad.status == 2 && bad.stderr.contains("--dtypes") && bad.stderr.contains("'ints'"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("bad.npy")))
    }

    @Test func unselectedStreamIsCopied() throws {
        let dir = try ScratchDirectory("apply-dtypes-stream")
        try Self.makeInputs(dir)
        let input = try bytes(dir.path("labels.npy"))
        let result = try CLIRunner.run(["apply", "-", "-", "--rate", "0.5", "--seed", "3"], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == input)  // np.save's own file: header and data as they were
        let lines = result.stderr.split(separator: "\n")
        #expect(
            lines.count == 1 && result.stderr.contains("standard input") && result.stderr.contains("|u1")
                && result.stderr.contains("--dtypes all"), "\(result.stderr)")
        let selected = try CLIRunner.run(
            ["apply", "-", "-", "--rate", "0.5", "--seed", "3", "--dtypes", "all"], stdin: input)
        #expect(selected.status == 0 && selected.stderr.isEmpty && selected.stdout != input, "\(selected.stderr)")
    }

    @Test func unselectedNpzMembersAreCopied() throws {
        let dir = try ScratchDirectory("apply-dtypes-npz")
        try Self.makeInputs(dir)
        let result = try CLIRunner.run([
            "apply", dir.path("pair.npz"), dir.path("out.npz"), "--mask", dir.path("mask.npz"),
            "--rate", "0.5", "--seed", "3",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(
            result.stderr.contains("pair.npz") && result.stderr.contains("'y.npy'") && result.stderr.contains("'z.npy'")
                && !result.stderr.contains("'x.npy'") && result.stderr.contains("--dtypes all"), "\(result.stderr)")
        let all = try CLIRunner.run([
            "apply", dir.path("pair.npz"), dir.path("all.npz"), "--mask", dir.path("all-mask.npz"),
            "--rate", "0.5", "--seed", "3", "--dtypes", "all",
        ])
        #expect(all.status == 0 && all.stderr.isEmpty, "\(all.stderr)")
        let check = try LiveNumPy.run(
            """
            import sys, zipfile
            import numpy as np
            d = sys.argv[1]
            src, out, mask = np.load(d + "/pair.npz"), np.load(d + "/out.npz"), np.load(d + "/mask.npz")
            assert sorted(mask.files) == ["x"], mask.files
            assert np.array_equal(out["y"], src["y"]) and out["y"].dtype == src["y"].dtype
            assert np.array_equal(out["z"], src["z"]) and out["z"].dtype == src["z"].dtype
            assert not np.array_equal(out["x"], src["x"])
            assert np.array_equal(out["x"] != 0, mask["x"])
            every, every_mask = np.load(d + "/all.npz"), np.load(d + "/all-mask.npz")
            assert sorted(every_mask.files) == ["x", "y", "z"], every_mask.files
            assert np.array_equal(every["x"], out["x"])
            assert not np.array_equal(every["y"], src["y"])
            assert zipfile.ZipFile(d + "/out.npz").testzip() is None
            print("ok")
            """, arguments: [dir.url.path])
        #expect(String(decoding: check, as: UTF8.self) == "ok\n")
    }

    /// `apply --mask-format packbits`: for an .npy file (split over the cores), a stream and an
    /// .npz, the mask is np.packbits of the bool mask the same command writes without the flag.
    @Test func applyPacksMasks() throws {
        let dir = try ScratchDirectory("apply-packbits")
        try Self.makeInputs(dir)
        for format in ["bool", "packbits"] {
            let file = try CLIRunner.run([
                "apply", dir.path("x.npy"), dir.path("x-\(format).npy"), "--mask",
                dir.path("xm-\(format).npy"), "--rate", "0.3", "--seed", "5", "--mask-format", format,
            ])
            #expect(file.status == 0 && file.stderr.isEmpty, "\(file.stderr)")
            let stream = try CLIRunner.run(
                [
                    "apply", "-", dir.path("s-\(format).npy"), "--key", "x.npy", "--mask",
                    "-", "--rate", "0.3", "--seed", "5", "--mask-format", format,
                ],
                stdin: try bytes(dir.path("x.npy")))
            #expect(stream.status == 0 && stream.stderr.isEmpty, "\(stream.stderr)")
            try stream.stdout.write(to: URL(fileURLWithPath: dir.path("sm-\(format).npy")))
            let archive = try CLIRunner.run([
                "apply", dir.path("pair.npz"), dir.path("p-\(format).npz"), "--mask",
                dir.path("pm-\(format).npz"), "--rate", "0.3", "--seed", "5", "--dtypes", "all",
                "--mask-format", format,
            ])
            #expect(archive.status == 0 && archive.stderr.isEmpty, "\(archive.stderr)")
        }
        for name in ["x", "s"] {
            #expect(try bytes(dir.path("\(name)-bool.npy")) == (try bytes(dir.path("\(name)-packbits.npy"))), "\(name)")
        }
        #expect(try bytes(dir.path("xm-packbits.npy")) == (try bytes(dir.path("sm-packbits.npy"))))
        let check = try LiveNumPy.run(
            """
            import sys
            import numpy as np
            d = sys.argv[1]
            def same(packed, plain):
                n = plain.size
                assert packed.dtype == np.uint8 and packed.shape == ((n + 7) // 8,), (packed.dtype, packed.shape)
                assert np.array_equal(packed, np.packbits(plain.ravel()))
                assert np.array_equal(np.unpackbits(packed, count=n).reshape(plain.shape).astype(bool), plain)
            same(np.load(d + "/xm-packbits.npy"), np.load(d + "/xm-bool.npy"))
            same(np.load(d + "/sm-packbits.npy"), np.load(d + "/sm-bool.npy"))
            packed, plain = np.load(d + "/pm-packbits.npz"), np.load(d + "/pm-bool.npz")
            assert packed.files == plain.files == ["x", "y", "z"], packed.files
            for k in plain.files:
                same(packed[k], plain[k])
            print("ok")
            """, arguments: [dir.url.path])
        #expect(String(decoding: check, as: UTF8.self) == "ok\n")
        let bad = try CLIRunner.run([
            "apply", dir.path("x.npy"), dir.path("bad.npy"), "--rate", "0.3", "--mask-format", "bits",
        ])
        #expect(
            bad.status == 2 && bad.stderr.contains("--mask-format must be bool or packbits, found 'bits'"),
            "\(bad.stderr)")
    }

    /// The config file's `mask_format` gives what `--mask-format` gives; the flag wins over it.
    @Test func configFileMaskFormat() throws {
        let dir = try ScratchDirectory("config-mask-format")
        try Self.makeInputs(dir)
        let input = dir.path("in")
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        for name in ["x.npy", "pair.npz"] {
            try FileManager.default.copyItem(atPath: dir.path(name), toPath: input + "/" + name)
        }
        try Data(#"{"rate": 0.4, "mask_format": "packbits"}"#.utf8).write(
            to: URL(fileURLWithPath: dir.path("packed.json")))
        try Data(#"{"rate": 0.4, "mask_format": "bits"}"#.utf8).write(to: URL(fileURLWithPath: dir.path("bad.json")))
        let viaConfig = try CLIRunner.run([
            "run", input, "--output", dir.path("a"), "--config", dir.path("packed.json"),
            "--seed", "2", "--quiet",
        ])
        #expect(viaConfig.status == 0, "\(viaConfig.stderr)")
        let viaFlag = try CLIRunner.run([
            "run", input, "--output", dir.path("b"), "--rate", "0.4", "--seed", "2",
            "--mask-format", "packbits", "--quiet",
        ])
        #expect(viaFlag.status == 0, "\(viaFlag.stderr)")
        for file in ["masks/x.npy", "masks/pair.npz", "data/x.npy", "data/pair.npz"] {
            #expect(try bytes(dir.path("a/" + file)) == (try bytes(dir.path("b/" + file))), "\(file)")
        }
        let manifest = String(decoding: try bytes(dir.path("a/manifest.jsonl")), as: UTF8.self)
        #expect(manifest.contains(#""mask_format":"packbits""#), "\(manifest)")
        let flagWins = try CLIRunner.run([
            "run", input, "--output", dir.path("c"), "--config", dir.path("packed.json"),
            "--seed", "2", "--mask-format", "bool", "--quiet",
        ])
        #expect(flagWins.status == 0, "\(flagWins.stderr)")
        let plain = String(decoding: try bytes(dir.path("c/manifest.jsonl")), as: UTF8.self)
        #expect(plain.contains(#""mask_format":"bool""#) && !plain.contains("packbits"), "\(plain)")
        let bad = try CLIRunner.run([
            "run", input, "--output", dir.path("d"), "--config", dir.path("bad.json"), "--seed", "2",
        ])
        #expect(
            bad.status == 2 && bad.stderr.contains("mask_format must be bool or packbits, found 'bits'"),
            "\(bad.stderr)")
    }
}
