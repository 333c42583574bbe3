import Foundation
import NPDropTestSupport
import Testing

@Suite struct ApplyCLITests {
    private func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npdrop-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// An np.save-style `|u1` file of `count` bytes, header built by hand from the format rules.
    static func bigU1File(count: Int) -> Data {
        var text = "{'descr': '|u1', 'fortran_order': False, 'shape': (\(count),), }"
        text += String(repeating: " ", count: 21 - String(count).count)
        let padding = 64 - (10 + text.utf8.count + 1) % 64
        let headerLength = text.utf8.count + 1 + padding
        var bytes =
            Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0, UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)])
        bytes += Data(text.utf8) + Data(repeating: 0x20, count: padding) + Data([0x0A])
        bytes += Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 9) })
        return bytes
    }

    /// `--sync` (fsync before the rename) writes the same bytes, and a mask, as a run without it.
    @Test func syncWritesTheSameFiles() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = CLIRunner.fixtures.appendingPathComponent("le_f4_C_r3.npy").path
        for sync in [false, true] {
            let out = directory.appendingPathComponent("out-\(sync).npy").path
            let mask = directory.appendingPathComponent("mask-\(sync).npy").path
            let result = try CLIRunner.run(
                ["apply", input, out, "--mask", mask, "--rate", "0.4", "--seed", "3"] + (sync ? ["--sync"] : []))
            #expect(result.status == 0, "\(result.stderr)")
        }
        for name in ["out", "mask"] {
            let plain = try Data(contentsOf: directory.appendingPathComponent("\(name)-false.npy"))
            #expect(try Data(contentsOf: directory.appendingPathComponent("\(name)-true.npy")) == plain)
            #expect(plain.count > 128)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 4)
    }

    @Test func npSaveFilesCopyByteForByte() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["le_f4_F_r2.npy", "be_c16_C_r4.npy", "na_b1_C_r0.npy", "empty_c8_C_2x0x3.npy"] {
            let input = CLIRunner.fixtures.appendingPathComponent(name)
            let output = directory.appendingPathComponent(name)
            let result = try CLIRunner.run(["apply", "--dtypes", "all", input.path, output.path, "--rate", "0"])
            #expect(result.status == 0 && result.stderr == "", "\(name): \(result.stderr)")
            #expect(try Data(contentsOf: output) == Data(contentsOf: input), "\(name)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 4)
    }

    @Test func otherWritersFilesAreRewrittenAsNpSaveWould() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // v2.0/v3.0 fixtures: MANIFEST holds the SHA-256 of what np.save writes for them.
        let manifest = try String(
            contentsOf: CLIRunner.fixtures.appendingPathComponent("MANIFEST.tsv"), encoding: .utf8)
        for line in manifest.split(separator: "\n") where line.hasPrefix("v2_") || line.hasPrefix("v3_") {
            let fields = line.split(separator: "\t").map(String.init)
            let output = directory.appendingPathComponent(fields[0])
            let result = try CLIRunner.run([
                "apply", "--dtypes", "all", CLIRunner.fixtures.appendingPathComponent(fields[0]).path, output.path,
                "--rate", "0",
            ])
            #expect(result.status == 0)
            #expect(SHA256.hex(try Data(contentsOf: output)) == fields[7], "\(fields[0])")
        }
    }

    @Test(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
    func sixteenByteAlignedInputBecomesNpSaveOutput() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in [
            "sbinet-npyio/data_float32_2x3_forder.npy", "kwikteam-npy-matlab/matlab_sine_uint8.npy",
            "fhs-NPZ.jl/linspace.npy", "jturner314-ndarray-npy/example_c64_big_endian_fortran.npy",
        ] {
            let input = CLIRunner.corpus.appendingPathComponent(name)
            let output = directory.appendingPathComponent("out.npy")
            let result = try CLIRunner.run(["apply", "--dtypes", "all", input.path, output.path, "--rate", "0"])
            #expect(result.status == 0)
            let expected = try LiveNumPy.run(
                "import sys, numpy as np; np.save(sys.stdout.buffer, np.load(sys.argv[1]))",
                arguments: [input.path])
            #expect(try Data(contentsOf: output) == expected, "\(name)")
        }
    }

    @Test func standardStreamsCopyByteForByte() throws {
        let input = Self.bigU1File(count: 3_000_017)
        let result = try CLIRunner.run(["apply", "--dtypes", "all", "-", "-", "--rate", "0"], stdin: input)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout.count == input.count)
        #expect(result.stdout == input)
    }

    @Test func truncatedInputLeavesNoOutputFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = Self.bigU1File(count: 2_500_000)
        let output = directory.appendingPathComponent("out.npy")
        let result = try CLIRunner.run(
            ["apply", "--dtypes", "all", "-", output.path, "--rate", "0"], stdin: input.prefix(input.count - 1000))
        #expect(result.status == 1)
        #expect(result.stderr == "npdrop: <stdin>: truncated data: expected 2500000 bytes, found 2499000\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [])
    }

    @Test func refusedInputsExitOne() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = CLIRunner.corpus.appendingPathComponent("jturner314-ndarray-npy/example_bool_bad_value.npy")
        let output = directory.appendingPathComponent("out.npy")
        let result = try CLIRunner.run(["apply", "--dtypes", "all", bad.path, output.path, "--rate", "0"])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "npdrop: \(bad.path): invalid bool data: byte 4 of the data is 98, bool bytes must be 0 or 1\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [])
        let unicode = CLIRunner.corpus.appendingPathComponent("matajoh-libnpy/unicode.npy")
        let refused = try CLIRunner.run(["apply", unicode.path, "-", "--rate", "0"])
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr == "npdrop: \(unicode.path): unsupported dtype '<U2': unicode dtype is not supported\n")
    }

    @Test func usageErrorsExitTwo() throws {
        let fixture = CLIRunner.fixtures.appendingPathComponent("le_f4_C_r1.npy").path
        let rate = try CLIRunner.run(["apply", fixture, "/tmp/never-written.npy", "--rate", "1.5"])
        #expect(rate.status == 2)
        #expect(rate.stderr == "npdrop: --rate must be in [0, 1], found 1.5\n")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written.npy"))
        let missingRate = try CLIRunner.run(["apply", fixture, "-"])
        #expect(missingRate.status == 2)
        #expect(missingRate.stderr == "npdrop: Missing expected argument '--rate <rate>'\n")
        let missingOutput = try CLIRunner.run(["apply", fixture, "--rate", "0"])
        #expect(missingOutput.status == 2)
        #expect(missingOutput.stderr == "npdrop: Missing expected argument '<output>'\n")
        let unknown = try CLIRunner.run(["frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "npdrop: Unexpected argument 'frobnicate'\n")
    }

    @Test func outputMayNotBeTheInput() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("x.npy")
        try Data(contentsOf: CLIRunner.fixtures.appendingPathComponent("le_i4_C_r2.npy")).write(to: path)
        let link = directory.appendingPathComponent("link.npy")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: path)
        let result = try CLIRunner.run(["apply", "--dtypes", "all", path.path, link.path, "--rate", "0"])
        #expect(result.status == 2)
        #expect(result.stderr == "npdrop: OUT is the same file as IN (\(path.path)); inputs are never overwritten\n")
    }
}
