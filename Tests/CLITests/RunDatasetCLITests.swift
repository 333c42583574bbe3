import Foundation
import NPDropTestSupport
import Testing

/// `npdrop run` on a real dataset directory (contract §4.4): only the selected dtypes get
/// dropout, everything else is carried over byte for byte, `--resume` redoes what is stale and
/// `verify` explains every file of OUT.
@Suite struct RunDatasetCLITests {
    /// Features, labels, ids, flags, strings, objects, records, dates, an npz of a float and an
    /// int member, and files that are not arrays — what a user's dataset directory holds.
    static let maker = #"""
        import sys, os, datetime
        import numpy as np
        root = sys.argv[1]
        os.makedirs(os.path.join(root, "train"), exist_ok=True)
        rng = np.random.default_rng(5)
        np.save(os.path.join(root, "train/x.npy"), rng.standard_normal((6, 8, 3)).astype(np.float32))
        np.save(os.path.join(root, "train/y.npy"), np.array([7, 1, 5, 3, 2, 9], dtype=np.uint8))
        np.save(os.path.join(root, "train/ids.npy"), np.arange(100, 106, dtype=np.int64))
        np.save(os.path.join(root, "train/valid.npy"), np.array([True, False, True, True, False, True]))
        np.save(os.path.join(root, "names.npy"), np.array(["alpha", "beta", "gamma"], dtype="<U10"))
        np.save(os.path.join(root, "objects.npy"), np.array([{"a": 1}, None, "x"], dtype=object), allow_pickle=True)
        np.save(os.path.join(root, "records.npy"), np.array([(1, 2.5), (3, 4.5)], dtype=[("n", "<i4"), ("v", "<f8")]))
        np.save(os.path.join(root, "dates.npy"), np.array(["2024-01-01", "2024-05-06"], dtype="datetime64[D]"))
        np.savez(os.path.join(root, "pair.npz"), features=rng.standard_normal((4, 5)), labels=np.array([1, 0, 2, 1], dtype=np.int32))
        open(os.path.join(root, "README.txt"), "w").write("a dataset\n")
        open(os.path.join(root, "train/meta.json"), "w").write('{"classes": 10}\n')
        open(os.path.join(root, "preview.png"), "wb").write(bytes(range(256)) * 40)
        """#

    private static let common = ["--rate", "0.5", "--seed", "424242", "--quiet"]

    private func makeDataset() throws -> ScratchDirectory {
        let input = try ScratchDirectory("dataset")
        _ = try LiveNumPy.run(Self.maker, arguments: [input.url.path])
        return input
    }

    private func run(_ arguments: [String]) throws -> CLIRunner.Output {
        try CLIRunner.run(["run"] + arguments + Self.common)
    }

    private func statuses(_ out: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for record in try ManifestLines.records(at: out + "/manifest.jsonl") {
            let key = (record["input"] as? String ?? "") + ((record["member"] as? String).map { ":" + $0 } ?? "")
            result[key] = record["status"] as? String
        }
        return result
    }

    @Test(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
    func theDefaultRunTransformsOnlyFloatsAndCopiesEverythingElse() throws {
        let input = try makeDataset()
        let out = try ScratchDirectory("out")
        let result = try run([input.url.path, "--output", out.path("o")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        #expect(
            try statuses(out.path("o")) == [
                "README.txt": "copied", "dates.npy": "copied", "names.npy": "copied", "objects.npy": "copied",
                "pair.npz:features.npy": "ok", "pair.npz:labels.npy": "copied", "preview.png": "copied",
                "records.npy": "copied", "train/ids.npy": "copied", "train/meta.json": "copied",
                "train/valid.npy": "copied",
                "train/x.npy": "ok", "train/y.npy": "copied",
            ])
        // Every input file is in OUT/data; all but the transformed ones byte for byte.
        let inputs = try FileTree.contents(of: input.url.path)
        let data = try FileTree.contents(of: out.path("o/data"))
        #expect(Set(data.keys) == Set(inputs.keys))
        for (name, bytes) in inputs where name != "train/x.npy" && name != "pair.npz" {
            #expect(data[name] == bytes, "\(name)")
        }
        #expect(data["train/x.npy"] != inputs["train/x.npy"])
        // Masks only for the floats (the npz mask holds only its float member).
        #expect(Set(try FileTree.contents(of: out.path("o/masks")).keys) == ["train/x.npy", "pair.npz"])
        let members = try LiveNumPy.run(
            "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).namelist())",
            arguments: [out.path("o/masks/pair.npz")])
        #expect(String(decoding: members, as: UTF8.self) == "['features.npy']\n")
        // Results equal the NumPy reference; copied arrays and files equal their inputs.
        #expect(try RunNumPyCLITests.check(input.url.path, out.path("o")) == "ok 13\n")
        let records = try ManifestLines.records(at: out.path("o/manifest.jsonl"))
        let labels = try #require(records.first { $0["input"] as? String == "train/y.npy" })
        #expect(
            labels["reason"] as? String == "dtype |u1 is not selected (--dtypes float,complex; add int to transform it)"
        )
        #expect(labels["mask"] is NSNull)
        let objects = try #require(records.first { $0["input"] as? String == "objects.npy" })
        #expect((objects["reason"] as? String)?.hasPrefix("dtype '|O' is not transformed") == true, "\(objects)")
        #expect(try CLIRunner.run(["verify", input.url.path, out.path("o"), "--quiet"]).status == 0)
        #expect(try CLIRunner.run(["verify", "--quick", input.url.path, out.path("o"), "--quiet"]).status == 0)

        // --arrays-only leaves the other files out.
        let arrays = try run([input.url.path, "--output", out.path("a"), "--arrays-only"])
        #expect(arrays.status == 0, "\(arrays.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path("a/data/README.txt")))
        #expect(FileManager.default.fileExists(atPath: out.path("a/data/names.npy")))
    }

    @Test(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
    func dtypesAllTransformsTheIntegersToo() throws {
        let input = try makeDataset()
        let out = try ScratchDirectory("out")
        let result = try run([input.url.path, "--output", out.path("o"), "--dtypes", "all"])
        #expect(result.status == 0, "\(result.stderr)")
        let found = try statuses(out.path("o"))
        for name in [
            "train/x.npy", "train/y.npy", "train/ids.npy", "train/valid.npy", "pair.npz:features.npy",
            "pair.npz:labels.npy",
        ] {
            #expect(found[name] == "ok", "\(name)")
        }
        for name in ["names.npy", "objects.npy", "records.npy", "dates.npy", "README.txt"] {
            #expect(found[name] == "copied", "\(name)")
        }
        #expect(try RunNumPyCLITests.check(input.url.path, out.path("o")) == "ok 13\n")
        // Token-id dropout: --dtypes int --fill 1 changes the ids and nothing else.
        let ids = try run([input.url.path, "--output", out.path("i"), "--dtypes", "int", "--fill", "1"])
        #expect(ids.status == 0, "\(ids.stderr)")
        let idFound = try statuses(out.path("i"))
        #expect(
            idFound["train/ids.npy"] == "ok" && idFound["train/x.npy"] == "copied"
                && idFound["train/valid.npy"] == "copied")
    }

    @Test(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
    func resumeRedoesAChangedInputAndATruncatedOutput() throws {
        let input = try makeDataset()
        let out = try ScratchDirectory("out")
        #expect(try run([input.url.path, "--output", out.path("o")]).status == 0)
        // A new shape for x.npy (same name), a truncated result of the npz.
        _ = try LiveNumPy.run(
            "import sys, numpy as np; np.save(sys.argv[1], np.ones((2, 3), np.float32))",
            arguments: [input.path("train/x.npy")])
        let npz = out.path("o/data/pair.npz")
        let cut = try Data(contentsOf: URL(fileURLWithPath: npz)).prefix(100)
        try cut.write(to: URL(fileURLWithPath: npz))
        try Data("a dataset, edited\n".utf8).write(to: URL(fileURLWithPath: input.path("README.txt")))
        let resumed = try CLIRunner.run([
            "run", input.url.path, "--output", out.path("o"), "--resume", "--rate", "0.5",
            "--seed", "424242",
        ])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("12 files (9 resumed)"), "\(resumed.stderr)")
        #expect(try run([input.url.path, "--output", out.path("clean")]).status == 0)
        #expect(
            FileTree.differences(try FileTree.contents(of: out.path("o")), try FileTree.contents(of: out.path("clean")))
                == [])
        #expect(try RunNumPyCLITests.check(input.url.path, out.path("o")) == "ok 13\n")
        #expect(try CLIRunner.run(["verify", "--quick", input.url.path, out.path("o"), "--quiet"]).status == 0)
    }

    @Test(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
    func verifyNamesFilesNoRecordExplainsAndQuickFindsChangedBytes() throws {
        let input = try makeDataset()
        let out = try ScratchDirectory("out")
        #expect(try run([input.url.path, "--output", out.path("o")]).status == 0)
        try out.write(Data("old".utf8), to: "o/data/old/stale.npy")
        try out.write(Data("old".utf8), to: "o/masks/gone.npy")
        let verify = try CLIRunner.run(["verify", input.url.path, out.path("o"), "--quiet"])
        #expect(verify.status == 1)
        #expect(
            verify.stderr == """
                npdrop: data/old/stale.npy: in OUT but no manifest record explains it
                npdrop: masks/gone.npy: in OUT but no manifest record explains it

                """, "\(verify.stderr)")
        let quick = try CLIRunner.run(["verify", "--quick", input.url.path, out.path("o"), "--quiet"])
        #expect(quick.status == 1)
        #expect(quick.stderr == verify.stderr)
        try FileManager.default.removeItem(atPath: out.path("o/data/old"))
        try FileManager.default.removeItem(atPath: out.path("o/masks/gone.npy"))
        // One flipped byte in a copied file and in a result: --quick finds both by checksum.
        for name in ["o/data/README.txt", "o/data/train/x.npy"] {
            var bytes = try Data(contentsOf: URL(fileURLWithPath: out.path(name)))
            bytes[bytes.count - 1] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: out.path(name)))
        }
        let flipped = try CLIRunner.run(["verify", "--quick", input.url.path, out.path("o"), "--quiet"])
        #expect(flipped.status == 1)
        #expect(flipped.stderr.contains("npdrop: data/README.txt: CRC-32C "), "\(flipped.stderr)")
        #expect(flipped.stderr.contains("npdrop: data/train/x.npy: CRC-32C "), "\(flipped.stderr)")
        let full = try CLIRunner.run(["verify", input.url.path, out.path("o"), "--quiet"])
        #expect(full.status == 1)
        #expect(full.stderr.contains("data/train/x.npy: differs from the re-derived bytes at offset"), "\(full.stderr)")
    }
}
