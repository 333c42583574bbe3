import Foundation
import NPDropTestSupport
import Testing

/// `npdrop apply` with dropout, run as a binary and compared byte for byte with
/// `python/npdrop_ref.py` (one python3 process per batch of runs).
@Suite struct ApplyDropoutCLITests {
    static let referenceFolder = CLIRunner.packageRoot.appendingPathComponent("python")
    static let npzFixtures = CLIRunner.packageRoot.appendingPathComponent("Fixtures/npz")

    private func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "npdrop-apply-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Runs `npdrop_ref.main(args)` for every argument list, in one python3 process.
    private func runReference(_ runs: [[String]]) throws {
        let json = try JSONSerialization.data(withJSONObject: runs)
        _ = try LiveNumPy.run(
            """
            import json, sys
            sys.path.insert(0, sys.argv[1])
            import npdrop_ref
            for args in json.loads(sys.stdin.read()):
                assert npdrop_ref.main(args) == 0, args
            """, arguments: [Self.referenceFolder.path], stdin: json)
    }

    @Test(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
    func fixturesMatchTheReferenceForEveryVariant() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [(String, [String])] = [
            ("le_f4_C_r2.npy", ["--rate", "0.5"]),
            ("le_f4_C_r3.npy", ["--rate", "0.5", "--variant", "spatial1d"]),
            ("be_f8_F_r4.npy", ["--rate", "0.25", "--variant", "spatial2d"]),
            ("be_f8_F_r4.npy", ["--rate", "0.25", "--variant", "spatial2d", "--data-format", "channels_first"]),
            ("be_c16_F_r3.npy", ["--rate", "0.6", "--noise-shape", "None,1,None"]),
            ("le_f2_C_r4.npy", ["--rate", "0.3", "--variant", "alpha"]),
            ("be_u2_F_r4.npy", ["--rate", "0.5", "--variant", "spatial3d", "--fill", "9"]),
            ("na_b1_C_r3.npy", ["--rate", "0.5", "--noise-shape", "(None, None, 1)"]),
            ("le_i4_C_r2.npy", ["--rate", "1", "--fill", "-3"]),
            ("le_f4_C_r3.npy", ["--rate", "0.7", "--no-scale", "--fill", "nan"]),
            ("be_c16_F_r3.npy", ["--rate", "0"]),
        ]
        var referenceRuns: [[String]] = []
        for (index, (name, options)) in cases.enumerated() {
            let input = CLIRunner.fixtures.appendingPathComponent(name).path
            let out = directory.appendingPathComponent("\(index).npy").path
            let mask = directory.appendingPathComponent("\(index).mask.npy").path
            let result = try CLIRunner.run(
                ["apply", "--dtypes", "all", input, out, "--mask", mask, "--seed", "\(1000 + index)"] + options)
            #expect(result.status == 0 && result.stderr == "", "\(name) \(options): \(result.stderr)")
            referenceRuns.append(
                ["apply", input, out + ".ref", "--mask", mask + ".ref", "--seed", "\(1000 + index)"] + options)
        }
        try runReference(referenceRuns)
        for (index, (name, options)) in cases.enumerated() {
            for file in ["\(index).npy", "\(index).mask.npy"] {
                let got = try Data(contentsOf: directory.appendingPathComponent(file))
                let expected = try Data(contentsOf: directory.appendingPathComponent(file + ".ref"))
                #expect(got == expected, "\(name) \(options): \(file)")
            }
        }
    }

    @Test(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
    func standardStreamsUseTheKeyOption() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = CLIRunner.fixtures.appendingPathComponent("le_f4_C_r3.npy")
        let bytes = try Data(contentsOf: input)
        let withKey = try CLIRunner.run(
            [
                "apply", "-", "-", "--key", "data/x.npy", "--rate", "0.5", "--seed", "3",
                "--variant", "spatial1d",
            ], stdin: bytes)
        #expect(withKey.status == 0 && withKey.stderr == "")
        let noKey = try CLIRunner.run(["apply", "-", "-", "--rate", "0.5", "--seed", "3"], stdin: bytes)
        #expect(noKey.status == 0 && noKey.stderr == "")
        // A file input's key is its base name; --key overrides it.
        let named = directory.appendingPathComponent("named.npy")
        let byName = try CLIRunner.run(["apply", input.path, named.path, "--rate", "0.5", "--seed", "3"])
        #expect(byName.status == 0)
        let overridden = directory.appendingPathComponent("overridden.npy")
        let byKey = try CLIRunner.run([
            "apply", input.path, overridden.path, "--key", "", "--rate", "0.5", "--seed", "3",
        ])
        #expect(byKey.status == 0)
        try runReference([
            [
                "apply", input.path, directory.appendingPathComponent("ref-key.npy").path, "--key", "data/x.npy",
                "--rate", "0.5", "--seed", "3", "--variant", "spatial1d",
            ],
            [
                "apply", input.path, directory.appendingPathComponent("ref-empty.npy").path, "--key", "", "--rate",
                "0.5", "--seed", "3",
            ],
            [
                "apply", input.path, directory.appendingPathComponent("ref-name.npy").path, "--rate", "0.5", "--seed",
                "3",
            ],
        ])
        #expect(withKey.stdout == (try Data(contentsOf: directory.appendingPathComponent("ref-key.npy"))))
        #expect(noKey.stdout == (try Data(contentsOf: directory.appendingPathComponent("ref-empty.npy"))))
        #expect(try Data(contentsOf: overridden) == Data(contentsOf: directory.appendingPathComponent("ref-empty.npy")))
        #expect(try Data(contentsOf: named) == Data(contentsOf: directory.appendingPathComponent("ref-name.npy")))
        #expect(noKey.stdout != withKey.stdout)
    }

    @Test func aDrawnSeedIsPrintedAndReproducesTheOutput() throws {
        let input = CLIRunner.fixtures.appendingPathComponent("le_f8_C_r4.npy").path
        let first = try CLIRunner.run(["apply", input, "-", "--rate", "0.5"])
        #expect(first.status == 0)
        let line = first.stderr
        #expect(line.hasPrefix("npdrop: seed ") && line.hasSuffix("\n"))
        let seed = String(line.dropFirst("npdrop: seed ".count).dropLast())
        #expect(UInt64(seed) != nil, "\(line)")
        let again = try CLIRunner.run(["apply", input, "-", "--rate", "0.5", "--seed", seed])
        #expect(again.status == 0 && again.stderr == "")
        #expect(again.stdout == first.stdout)
        // Rate 0 and 1 do not depend on the seed: nothing is printed.
        let copy = try CLIRunner.run(["apply", input, "-", "--rate", "0"])
        #expect(copy.status == 0 && copy.stderr == "")
    }

    @Test func arrayRefusalsExitOneAndLeaveNoFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out.npy").path
        let mask = directory.appendingPathComponent("mask.npy").path
        let f4 = CLIRunner.fixtures.appendingPathComponent("le_f4_C_r2.npy").path
        let i4 = CLIRunner.fixtures.appendingPathComponent("le_i4_C_r2.npy").path
        let u2 = CLIRunner.fixtures.appendingPathComponent("be_u2_C_r1.npy").path
        let cases: [([String], String)] = [
            (
                ["apply", f4, out, "--mask", mask, "--rate", "0.5", "--seed", "1", "--variant", "spatial2d"],
                "npdrop: \(f4): spatial2d needs an array of rank 4 or 3, got shape (2, 3)\n"
            ),
            (
                ["apply", "--dtypes", "all", i4, out, "--rate", "0.5", "--seed", "1", "--variant", "alpha"],
                "npdrop: \(i4): alpha dropout needs a real float dtype (f2, f4, f8), found <i4\n"
            ),
            (
                ["apply", f4, out, "--rate", "0.5", "--seed", "1", "--noise-shape", "None,1,1"],
                "npdrop: \(f4): noise shape None,1,1 has rank 3 but the array has shape (2, 3) of rank 2\n"
            ),
            (
                ["apply", f4, out, "--rate", "0.5", "--seed", "1", "--noise-shape", "3,1"],
                "npdrop: \(f4): noise shape 3,1 does not fit array shape (2, 3): axis 0 has size 2; its noise entry must be None, 1 or 2, found 3\n"
            ),
            (
                ["apply", "--dtypes", "all", u2, out, "--rate", "0.5", "--seed", "1", "--fill", "70000"],
                "npdrop: \(u2): fill value 70000 is not representable in dtype >u2: expected an integer in 0...65535\n"
            ),
            (
                ["apply", "--dtypes", "all", u2, out, "--rate", "0.5", "--seed", "1", "--fill", "1.5"],
                "npdrop: \(u2): fill value 1.5 is not representable in dtype >u2: expected an integer in 0...65535\n"
            ),
        ]
        for (arguments, message) in cases {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr == message)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [], "\(arguments)")
        }
    }

    @Test func usageErrorsExitTwoWithTheirMessages() throws {
        let f4 = CLIRunner.fixtures.appendingPathComponent("le_f4_C_r2.npy").path
        let npz = Self.npzFixtures.appendingPathComponent("savez_stored.npz")
        let cases: [([String], Data, String)] = [
            (["apply", f4, "-", "--rate", "-0.5"], Data(), "npdrop: --rate must be in [0, 1], found -0.5\n"),
            (["apply", f4, "-", "--rate", "nan"], Data(), "npdrop: --rate must be in [0, 1], found nan\n"),
            (["apply", f4, "-", "--seed", "1"], Data(), "npdrop: Missing expected argument '--rate <rate>'\n"),
            (
                ["apply", f4, "-", "--rate", "0.5", "--seed", "-1"], Data(),
                "npdrop: The value '-1' is invalid for '--seed <seed>'\n"
            ),
            (
                ["apply", f4, "-", "--rate", "0.5", "--variant", "dropconnect"], Data(),
                "npdrop: The value 'dropconnect' is invalid for '--variant <variant>'. Please provide one of 'dropout', 'spatial1d', 'spatial2d', 'spatial3d' or 'alpha'.\n"
            ),
            (
                ["apply", f4, "-", "--rate", "0.5", "--variant", "alpha", "--fill", "1"], Data(),
                "npdrop: alpha dropout fixes the dropped value; --fill cannot be combined with it\n"
            ),
            (
                ["apply", f4, "-", "--rate", "1", "--variant", "alpha"], Data(),
                "npdrop: alpha dropout needs rate < 1, found rate 1\n"
            ),
            (
                ["apply", f4, "-", "--rate", "0.5", "--variant", "alpha", "--no-scale"], Data(),
                "npdrop: alpha dropout always applies its affine correction; --no-scale cannot be combined with it\n"
            ),
            (
                ["apply", f4, "-", "--rate", "0.5", "--noise-shape", "None,x"], Data(),
                "npdrop: --noise-shape: noise shape 'None,x' is not valid: entry 1 must be None or an integer >= 0, found 'x'\n"
            ),
            (
                ["apply", f4, "-", "--rate", "0.5", "--fill", "zero"], Data(),
                "npdrop: --fill: expected a number (integer, decimal, nan, inf), found 'zero'\n"
            ),
            (
                ["apply", f4, "-", "--rate", "0.5", "--mask", "-"], Data(),
                "npdrop: OUT and --mask cannot both be standard output\n"
            ),
            (
                ["apply", f4, "/tmp/x.npz", "--rate", "0.5", "--compress", "--store"], Data(),
                "npdrop: --compress and --store exclude each other\n"
            ),
            (
                ["apply", "-", "/tmp/never.npy", "--rate", "0.5"], try Data(contentsOf: npz),
                "npdrop: standard input is a zip archive (.npz?): an .npz input must be a file, not a stream; pass its path as IN\n"
            ),
            (
                ["apply", npz.path, "-", "--rate", "0.5"], Data(),
                "npdrop: \(npz.path) is an .npz archive: OUT and --mask must be files (a zip is written with positioned writes), not '-'\n"
            ),
        ]
        for (arguments, stdin, message) in cases {
            let result = try CLIRunner.run(arguments, stdin: stdin)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr == message, "\(arguments)")
            #expect(result.stdout.isEmpty, "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never.npy"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/x.npz"))
    }

    /// Every member of the npz fixtures through the binary, compared member by member with
    /// the reference (`key = base name + NUL + entry`), compression kept or forced.
    @Test(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
    func npzMembersMatchTheReference() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let runs: [(String, [String])] = [
            ("savez_stored.npz", []), ("savez_compressed.npz", []), ("names.npz", ["--key", "renamed"]),
            ("data_descriptor_compressed.npz", ["--store"]), ("savez_stored.npz", ["--compress"]),
            ("many_members.npz", []),
        ]
        var checks: [[String: Any]] = []
        for (index, (name, extra)) in runs.enumerated() {
            let input = Self.npzFixtures.appendingPathComponent(name).path
            let out = directory.appendingPathComponent("\(index).npz").path
            let mask = directory.appendingPathComponent("\(index).mask.npz").path
            let result = try CLIRunner.run(
                ["apply", "--dtypes", "all", input, out, "--mask", mask, "--rate", "0.4", "--seed", "77"] + extra)
            #expect(result.status == 0 && result.stderr == "", "\(name) \(extra): \(result.stderr)")
            let key = extra.first == "--key" ? extra[1] : name
            let method = extra.contains("--store") ? 0 : extra.contains("--compress") ? 8 : -1
            checks.append(["input": input, "out": out, "mask": mask, "key": key, "method": method])
        }
        let report = try LiveNumPy.run(
            """
            import io, json, sys, zipfile
            import numpy as np
            sys.path.insert(0, sys.argv[1])
            import npdrop_ref as ref
            for c in json.loads(sys.stdin.read()):
                zi, zo, zm = (zipfile.ZipFile(c[k]) for k in ("input", "out", "mask"))
                assert zo.testzip() is None and zm.testzip() is None
                assert zi.namelist() == zo.namelist() == zm.namelist(), (zi.namelist(), zo.namelist())
                for name in zi.namelist():
                    x = np.load(io.BytesIO(zi.read(name)))
                    y, keep, _ = ref.dropout(x, 77, ref.array_key(c["key"], name), 0.4)
                    for z, want in ((zo, y), (zm, keep)):
                        b = io.BytesIO(); np.save(b, want)
                        assert z.read(name) == b.getvalue(), (c, name)
                        expected = zi.getinfo(name).compress_type if c["method"] < 0 else c["method"]
                        assert z.getinfo(name).compress_type == expected, (c, name)
                np.load(c["out"]); np.load(c["mask"])
                print(len(zi.namelist()))
            """, arguments: [Self.referenceFolder.path], stdin: try JSONSerialization.data(withJSONObject: checks))
        let counts = String(decoding: report, as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
        #expect(counts.count == runs.count && counts.allSatisfy { $0 > 0 }, "\(counts)")
    }

    @Test func npzAtRateZeroIsByteIdentical() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["savez_stored.npz", "savez_compressed.npz", "names.npz"] {
            let input = Self.npzFixtures.appendingPathComponent(name)
            let out = directory.appendingPathComponent(name)
            // zlib blocks at zlib's default level: members up to 1 MiB get np.savez_compressed's bytes
            // (the default, ISA-L blocks, gives other bytes of the same content).
            let result = try CLIRunner.run([
                "apply", "--dtypes", "all", input.path, out.path, "--rate", "0", "--compression-level=-1",
            ])
            #expect(result.status == 0 && result.stderr == "")
            #expect(try Data(contentsOf: out) == Data(contentsOf: input), "\(name)")
        }
    }

    /// A member with bytes after its data, a refused dtype, a corrupt CRC: exit 1, the message
    /// names archive and member once, worded as `run` words it, and neither OUT nor MASKFILE is
    /// left behind.
    @Test(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
    func badNpzMembersNameArchiveAndMember() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let trailing = directory.appendingPathComponent("trailing.npz").path
        let unicode = directory.appendingPathComponent("unicode.npz").path
        let corrupt = directory.appendingPathComponent("corrupt.npz").path
        _ = try LiveNumPy.run(
            """
            import io, sys, zipfile
            import numpy as np
            def npy(a):
                b = io.BytesIO(); np.save(b, a); return b.getvalue()
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                z.writestr("ok.npy", npy(np.arange(6.0)))
                z.writestr("tail.npy", npy(np.arange(4, dtype="<i2")) + b"xx")
            with zipfile.ZipFile(sys.argv[2], "w") as z:
                z.writestr("u.npy", npy(np.array(["ab", "c"])))
            np.savez(sys.argv[3], x=np.arange(100, dtype="<f8"))
            data = bytearray(open(sys.argv[3], "rb").read())
            data[400] ^= 0x55
            open(sys.argv[3], "wb").write(bytes(data))
            """, arguments: [trailing, unicode, corrupt])
        let out = directory.appendingPathComponent("out.npz").path
        let mask = directory.appendingPathComponent("mask.npz").path
        let cases: [(String, String)] = [
            (
                trailing,
                "npdrop: \(trailing): member 'tail.npy': the member has bytes after its array data (an .npz member must hold exactly one .npy array)\n"
            ),
            (unicode, "npdrop: \(unicode): member 'u.npy': unsupported dtype '<U2': unicode dtype is not supported\n"),
            (corrupt, "npdrop: \(corrupt): member 'x.npy': CRC-32 mismatch: central directory says "),
        ]
        for (input, message) in cases {
            let result = try CLIRunner.run([
                "apply", "--dtypes", "all", input, out, "--mask", mask, "--rate", "0.5", "--seed", "1",
            ])
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
            #expect(!FileManager.default.fileExists(atPath: out) && !FileManager.default.fileExists(atPath: mask))
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.contains("npdrop-tmp")
        }
        #expect(leftovers == [])
    }
}
