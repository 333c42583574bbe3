import Foundation
import NPDropTestSupport
import Testing

/// `npdrop run` on deflated `.npz` inputs with members larger than one deflate block: block
/// (parallel) deflate by default, `--single-stream-deflate` for `np.savez_compressed`'s bytes,
/// and unselected members copied with their compressed bytes. Checked with live NumPy/zlib.
@Suite(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
struct RunDeflateCLITests {
    /// `big` is 3 MiB (three deflate blocks), `small` 64 KiB; written by np.savez_compressed.
    private func makeInput() throws -> ScratchDirectory {
        let input = try ScratchDirectory("deflate-in")
        _ = try LiveNumPy.run(
            """
            import sys
            import numpy as np
            rng = np.random.default_rng(11)
            big = np.round(rng.standard_normal((16, 768, 64)), 2).astype(np.float32)
            small = rng.integers(0, 50, size=(128, 128), dtype=np.int32)
            np.savez_compressed(sys.argv[1], big=big, small=small)
            """, arguments: [input.path("a.npz")])
        return input
    }

    /// Prints, per member of each archive: name, compression method, and whether its compressed
    /// bytes equal one zlib stream at level 6 of its data (what np.savez_compressed writes).
    private static let describe = #"""
        import sys, zipfile, zlib
        for path in sys.argv[1:]:
            with zipfile.ZipFile(path) as z:
                assert z.testzip() is None
                for info in z.infolist():
                    with open(path, "rb") as f:
                        f.seek(info.header_offset + 26)
                        n, e = int.from_bytes(f.read(2), "little"), int.from_bytes(f.read(2), "little")
                        f.seek(info.header_offset + 30 + n + e)
                        raw = f.read(info.compress_size)
                    c = zlib.compressobj(6, zlib.DEFLATED, -15)
                    one = c.compress(z.read(info.filename)) + c.flush()
                    print(info.filename, info.compress_type, raw == one)
        """#

    private func describe(_ paths: [String]) throws -> String {
        String(decoding: try LiveNumPy.run(Self.describe, arguments: paths), as: UTF8.self)
    }

    /// The default: ISA-L level 1 blocks, the same bytes on 1, 2 and 7 jobs, read by np.load and zlib.
    @Test func bigMembersAreBlockDeflatedTheSameOnAnyNumberOfJobs() throws {
        let input = try makeInput()
        let out = try ScratchDirectory("deflate-out")
        for jobs in ["1", "2", "7"] {
            let result = try CLIRunner.run([
                "run", input.path("a.npz"), "--output", out.path("j\(jobs)"), "--rate", "0.3",
                "--seed", "5", "--jobs", jobs, "--quiet", "--dtypes", "all",
            ])
            #expect(result.status == 0, "\(result.stderr)")
        }
        for jobs in ["2", "7"] {
            #expect(
                FileTree.differences(
                    try FileTree.contents(of: out.path("j1")),
                    try FileTree.contents(of: out.path("j\(jobs)"))
                ).isEmpty, "jobs \(jobs)")
        }
        // ISA-L's bytes are valid deflate (zipfile tests them), never zlib's single stream.
        #expect(
            try describe([out.path("j1/data/a.npz"), out.path("j1/masks/a.npz")])
                == "big.npy 8 False\nsmall.npy 8 False\nbig.npy 8 False\nsmall.npy 8 False\n")
        let records = try ManifestLines.records(at: out.path("j1/manifest.jsonl"))
        #expect(records.map { $0["deflate_block_size"] as? Int } == [1 << 20, 1 << 20])
        #expect(
            records.allSatisfy { $0["deflate_engine"] as? String == "isal" && $0["compression_level"] as? Int == 1 })
        #expect(
            records.allSatisfy {
                ($0["isal_version"] as? String)?.hasPrefix("2.") == true && $0["isal_check"] as? String == "ok"
            })
        try expectNumPyResults(input: input.path("a.npz"), output: out.path("j1/data/a.npz"))
        let verify = try CLIRunner.run(["verify", input.path("a.npz"), out.path("j1"), "--quiet"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    /// `--compression-level L`: zlib blocks at L; a member of one block is zlib's single stream.
    @Test func aCompressionLevelSelectsZlibBlocks() throws {
        let input = try makeInput()
        let out = try ScratchDirectory("deflate-out")
        for jobs in ["1", "2"] {
            let result = try CLIRunner.run([
                "run", input.path("a.npz"), "--output", out.path("j\(jobs)"), "--rate", "0.3",
                "--seed", "5", "--jobs", jobs, "--compression-level", "6", "--quiet", "--dtypes", "all",
            ])
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(
            FileTree.differences(
                try FileTree.contents(of: out.path("j1")),
                try FileTree.contents(of: out.path("j2"))
            ).isEmpty)
        // More than one block: valid deflate, but not the single-stream bytes; one block: the same bytes.
        #expect(
            try describe([out.path("j1/data/a.npz"), out.path("j1/masks/a.npz")])
                == "big.npy 8 False\nsmall.npy 8 True\nbig.npy 8 True\nsmall.npy 8 True\n")
        let records = try ManifestLines.records(at: out.path("j1/manifest.jsonl"))
        #expect(
            records.allSatisfy { $0["deflate_engine"] as? String == "zlib" && $0["compression_level"] as? Int == 6 })
        #expect(records.allSatisfy { $0["isal_version"] is NSNull && $0["isal_check"] is NSNull })
        try expectNumPyResults(input: input.path("a.npz"), output: out.path("j1/data/a.npz"))
        let verify = try CLIRunner.run(["verify", input.path("a.npz"), out.path("j1"), "--quiet"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    /// A failed known-answer check (made to fail through the test hook) says so in one line and
    /// writes zlib blocks at zlib's default level: the bytes of `--compression-level -1`.
    @Test func aFailedKnownAnswerCheckWritesZlibBlocks() throws {
        let input = try makeInput()
        let out = try ScratchDirectory("deflate-out")
        let failed = try CLIRunner.run(
            [
                "run", input.path("a.npz"), "--output", out.path("f"), "--rate", "0.3",
                "--seed", "5", "--quiet", "--dtypes", "all",
            ],
            environment: ["NPDROP_TEST_ISAL_KNOWN_ANSWER": "1:00000000"])
        #expect(failed.status == 0, "\(failed.stderr)")
        let lines = failed.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("ISA-L") && lines[0].contains("zlib blocks"), "\(failed.stderr)")
        // The line says what this machine's ISA-L gave (the committed answer, IsalKnownAnswer.committed) and
        // what was expected.
        #expect(
            lines.first?.contains("(36469:e9623ce0, expected 1:00000000)") == true, "\(failed.stderr)")
        let zlib = try CLIRunner.run([
            "run", input.path("a.npz"), "--output", out.path("z"), "--rate", "0.3",
            "--seed", "5", "--compression-level=-1", "--quiet", "--dtypes", "all",
        ])
        #expect(zlib.status == 0, "\(zlib.stderr)")
        for part in ["data/a.npz", "masks/a.npz"] {
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: out.path("f/" + part)))
                    == (try Data(contentsOf: URL(fileURLWithPath: out.path("z/" + part)))), "\(part)")
        }
        let records = try ManifestLines.records(at: out.path("f/manifest.jsonl"))
        #expect(
            records.allSatisfy { $0["deflate_engine"] as? String == "zlib" && $0["isal_check"] as? String == "failed" })
        #expect(records.allSatisfy { $0["compression_level"] is NSNull && $0["isal_version"] is String })
        try expectNumPyResults(input: input.path("a.npz"), output: out.path("f/data/a.npz"))
        let verify = try CLIRunner.run(["verify", input.path("a.npz"), out.path("f"), "--quiet"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let bad = try CLIRunner.run(
            ["run", input.path("a.npz"), "--output", out.path("b"), "--rate", "0.3", "--seed", "5"],
            environment: ["NPDROP_TEST_ISAL_KNOWN_ANSWER": "nonsense"])
        #expect(bad.status == 2, "\(bad.stderr)")
    }

    /// The results are what NumPy computes (np.load reads the block-deflated members).
    private func expectNumPyResults(input: String, output: String) throws {
        let check = try LiveNumPy.run(
            """
            import sys
            import numpy as np
            sys.path.insert(0, sys.argv[3])
            import npdrop_ref as ref
            x, y = np.load(sys.argv[1]), np.load(sys.argv[2])
            for name in ("big", "small"):
                want, keep, _ = ref.dropout(x[name], 5, "a.npz\\0" + name + ".npy", 0.3)
                assert y[name].dtype == want.dtype and np.array_equal(y[name], want), name
            print("ok")
            """, arguments: [input, output, CLIRunner.packageRoot.appendingPathComponent("python").path])
        #expect(String(decoding: check, as: UTF8.self) == "ok\n")
    }

    @Test func singleStreamDeflateWritesTheBytesOfSavezCompressed() throws {
        let input = try makeInput()
        let out = try ScratchDirectory("deflate-out")
        let result = try CLIRunner.run([
            "run", input.path("a.npz"), "--output", out.path("o"), "--rate", "0.3",
            "--seed", "5", "--single-stream-deflate", "--quiet", "--dtypes", "all",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            try describe([out.path("o/data/a.npz"), out.path("o/masks/a.npz")])
                == "big.npy 8 True\nsmall.npy 8 True\nbig.npy 8 True\nsmall.npy 8 True\n")
        let records = try ManifestLines.records(at: out.path("o/manifest.jsonl"))
        #expect(records.allSatisfy { $0["deflate_block_size"] is NSNull })
        let verify = try CLIRunner.run(["verify", input.path("a.npz"), out.path("o"), "--quiet"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    /// `apply --compress --compression-level 1`: every member deflated at level 1 (a member of one
    /// block is exactly zlib's level-1 stream), and the arrays are the dropout results.
    @Test func applyHonoursTheCompressionLevel() throws {
        let input = try makeInput()
        let out = try ScratchDirectory("deflate-out")
        let result = try CLIRunner.run([
            "apply", "--dtypes", "all", input.path("a.npz"), out.path("y.npz"), "--rate", "0.3", "--seed", "5",
            "--store", "--mask", out.path("m.npz"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let level1 = try CLIRunner.run([
            "apply", "--dtypes", "all", input.path("a.npz"), out.path("y1.npz"), "--rate", "0.3", "--seed", "5",
            "--compress", "--compression-level", "1",
        ])
        #expect(level1.status == 0, "\(level1.stderr)")
        let check = try LiveNumPy.run(
            """
            import sys, zipfile, zlib
            stored, level1 = zipfile.ZipFile(sys.argv[1]), zipfile.ZipFile(sys.argv[2])
            for info in level1.infolist():
                data = level1.read(info.filename)
                assert info.compress_type == 8 and data == stored.read(info.filename), info.filename
                with open(sys.argv[2], "rb") as f:
                    f.seek(info.header_offset + 26)
                    n, e = int.from_bytes(f.read(2), "little"), int.from_bytes(f.read(2), "little")
                    f.seek(info.header_offset + 30 + n + e)
                    raw = f.read(info.compress_size)
                c = zlib.compressobj(1, zlib.DEFLATED, -15)
                print(info.filename, raw == c.compress(data) + c.flush())
            """, arguments: [out.path("y.npz"), out.path("y1.npz")])
        #expect(String(decoding: check, as: UTF8.self) == "big.npy False\nsmall.npy True\n")
    }

    /// A member left out by `--members` keeps its compressed bytes even at another level.
    @Test func unselectedMembersKeepTheirCompressedBytes() throws {
        let input = try makeInput()
        let out = try ScratchDirectory("deflate-out")
        let result = try CLIRunner.run([
            "run", input.path("a.npz"), "--output", out.path("o"), "--rate", "0.3",
            "--seed", "5", "--members", "small", "--compression-level", "1", "--quiet", "--dtypes", "all",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let same = try LiveNumPy.run(
            """
            import sys, zipfile
            def raw(path, name):
                with zipfile.ZipFile(path) as z:
                    info = z.getinfo(name)
                with open(path, "rb") as f:
                    f.seek(info.header_offset + 26)
                    n, e = int.from_bytes(f.read(2), "little"), int.from_bytes(f.read(2), "little")
                    f.seek(info.header_offset + 30 + n + e)
                    return info.CRC, f.read(info.compress_size)
            print(raw(sys.argv[1], "big.npy") == raw(sys.argv[2], "big.npy"), raw(sys.argv[1], "small.npy") == raw(sys.argv[2], "small.npy"))
            """, arguments: [input.path("a.npz"), out.path("o/data/a.npz")])
        #expect(String(decoding: same, as: UTF8.self) == "True False\n")
    }

    /// A copied member whose deflate data is damaged is still checked: the file fails (exit 1,
    /// message naming it), and nothing is written for it.
    @Test func aDamagedCopiedMemberFailsTheFile() throws {
        let input = try makeInput()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: input.path("a.npz")))
        bytes[bytes.count / 3] ^= 0x5A  // inside big.npy's deflate data
        try input.write(bytes, to: "a.npz")
        let out = try ScratchDirectory("deflate-out")
        let result = try CLIRunner.run([
            "run", input.path("a.npz"), "--output", out.path("o"), "--rate", "0.3",
            "--seed", "5", "--members", "small", "--quiet", "--dtypes", "all",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("a.npz") && result.stderr.contains("big.npy"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path("o/data/a.npz")))
        #expect(FileTree.temporaries(under: out.path("o")).isEmpty)
    }
}
