import Foundation
import Testing

@Suite struct InspectCLITests {
    @Test func humanLinesPerFile() throws {
        let a = CLIRunner.fixtures.appendingPathComponent("le_f4_F_r2.npy").path
        let b = CLIRunner.corpus.appendingPathComponent("fhs-NPZ.jl/linspace.npy").path
        let result = try CLIRunner.run(["inspect", a, b])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdoutText == """
        \(a): npy 1.0, <f4, shape (2, 3), Fortran order, data at byte 128, 24 data bytes
        \(b): npy 2.0, <f8, shape (11,), Fortran order, data at byte 82, 88 data bytes

        """)
    }

    @Test func jsonObjectPerLine() throws {
        let names = ["v3_b1_C.npy", "be_c16_C_r0.npy", "empty_f4_F_0x3.npy"]
        let paths = names.map { CLIRunner.fixtures.appendingPathComponent($0).path }
        let result = try CLIRunner.run(["inspect", "--json"] + paths)
        #expect(result.status == 0)
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines == [
            #"{"file":"\#(paths[0])","version":"3.0","descr":"|b1","shape":[4],"fortran_order":false,"data_offset":128,"data_bytes":4}"#,
            #"{"file":"\#(paths[1])","version":"1.0","descr":">c16","shape":[],"fortran_order":false,"data_offset":128,"data_bytes":16}"#,
            #"{"file":"\#(paths[2])","version":"1.0","descr":">f4","shape":[0,3],"fortran_order":false,"data_offset":128,"data_bytes":0}"#,
        ])
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?.keys.sorted() == ["data_bytes", "data_offset", "descr", "file", "fortran_order", "shape", "version"])
        }
    }

    @Test func badFilesAreReportedAndTheOthersStillInspected() throws {
        let good = CLIRunner.fixtures.appendingPathComponent("na_u1_C_r1.npy").path
        let pickle = CLIRunner.corpus.appendingPathComponent("ExpHP-npyz/pickle.npy").path
        let structured = CLIRunner.corpus.appendingPathComponent("ExpHP-npyz/structured.npy").path
        let result = try CLIRunner.run(["inspect", pickle, "missing.npy", structured, good])
        #expect(result.status == 1)
        #expect(result.stdoutText == "\(good): npy 1.0, |u1, shape (5,), C order, data at byte 128, 5 data bytes\n")
        #expect(result.stderr == """
        npdrop: \(pickle): unsupported dtype '|O': object dtype (pickle); npdrop never loads pickles
        npdrop: missing.npy: open for reading failed: No such file or directory (errno 2)
        npdrop: \(structured): unsupported dtype [('a', '<i4'), ('b', '<f4'), ('c', '<i8')]: structured dtype (record fields) is not supported

        """)
    }

    @Test func truncatedAndTrailingFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npdrop-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try Data(contentsOf: CLIRunner.fixtures.appendingPathComponent("le_f8_C_r2.npy"))
        let short = directory.appendingPathComponent("short.npy")
        try original.prefix(original.count - 5).write(to: short)
        let long = directory.appendingPathComponent("long.npy")
        try (original + Data([1, 2])).write(to: long)
        let result = try CLIRunner.run(["inspect", short.path, long.path])
        #expect(result.status == 1)
        #expect(result.stderr == "npdrop: \(short.path): truncated data: expected 48 bytes, found 43\n")
        #expect(result.stdoutText == "\(long.path): npy 1.0, <f8, shape (2, 3), C order, data at byte 128, 48 data bytes, trailing bytes ignored\n")
    }

    @Test func standardInput() throws {
        let data = try Data(contentsOf: CLIRunner.fixtures.appendingPathComponent("be_i8_F_r3.npy"))
        let result = try CLIRunner.run(["inspect", "--json", "-"], stdin: data)
        #expect(result.status == 0)
        #expect(result.stdoutText == #"{"file":"-","version":"1.0","descr":">i8","shape":[2,3,2],"fortran_order":true,"data_offset":128,"data_bytes":96}"# + "\n")
    }

    @Test func usageErrors() throws {
        let none = try CLIRunner.run(["inspect"])
        #expect(none.status == 2)
        #expect(none.stderr == "npdrop: Missing expected argument '<files> ...'\n")
        let unknown = try CLIRunner.run(["inspect", "--yaml", "x.npy"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "npdrop: Unknown option '--yaml'\n")
        let help = try CLIRunner.run(["inspect", "--help"])
        #expect(help.status == 0)
        #expect(help.stdoutText.contains("USAGE: npdrop inspect <files> ... [--json]"))
    }
}
