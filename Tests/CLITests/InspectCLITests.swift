import Foundation
import Testing

@Suite struct InspectCLITests {
    @Test func humanLinesPerFile() throws {
        let a = CLIRunner.fixtures.appendingPathComponent("le_f4_F_r2.npy").path
        let b = CLIRunner.corpus.appendingPathComponent("fhs-NPZ.jl/linspace.npy").path
        let result = try CLIRunner.run(["inspect", a, b])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(
            result.stdoutText == """
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
        #expect(
            lines == [
                #"{"file":"\#(paths[0])","version":"3.0","descr":"|b1","shape":[4],"fortran_order":false,"data_offset":128,"data_bytes":4}"#,
                #"{"file":"\#(paths[1])","version":"1.0","descr":">c16","shape":[],"fortran_order":false,"data_offset":128,"data_bytes":16}"#,
                #"{"file":"\#(paths[2])","version":"1.0","descr":">f4","shape":[0,3],"fortran_order":false,"data_offset":128,"data_bytes":0}"#,
            ])
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(
                object?.keys.sorted() == [
                    "data_bytes", "data_offset", "descr", "file", "fortran_order", "shape", "version",
                ])
        }
    }

    @Test func badFilesAreReportedAndTheOthersStillInspected() throws {
        let good = CLIRunner.fixtures.appendingPathComponent("na_u1_C_r1.npy").path
        let result = try CLIRunner.run(["inspect", "missing.npy", good])
        #expect(result.status == 1)
        #expect(result.stdoutText == "\(good): npy 1.0, |u1, shape (5,), C order, data at byte 128, 5 data bytes\n")
        #expect(result.stderr == "npdrop: missing.npy: open for reading failed: No such file or directory (errno 2)\n")
    }

    /// A dtype npdrop does not transform: the header as written and the note; the data (a pickle
    /// here) is never read.
    @Test func untransformedDTypesShowTheirHeaderAndThatTheyAreCopied() throws {
        let pickle = CLIRunner.corpus.appendingPathComponent("ExpHP-npyz/pickle.npy").path
        let structured = CLIRunner.corpus.appendingPathComponent("ExpHP-npyz/structured.npy").path
        let unicode = CLIRunner.corpus.appendingPathComponent("ExpHP-npyz/unicode__ok.npy").path
        let result = try CLIRunner.run(["inspect", pickle, structured, unicode])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(
            result.stdoutText == """
                \(pickle): npy 1.0, |O, shape (2, 3), C order, data at byte 128; copied, not transformed: object dtype (pickle); npdrop never loads pickles
                \(structured): npy 1.0, [('a', '<i4'), ('b', '<f4'), ('c', '<i8')], shape (2,), C order, data at byte 112; copied, not transformed: structured dtype (record fields) is not supported
                \(unicode): npy 1.0, <U8, shape (1,), C order, data at byte 128; copied, not transformed: unicode dtype is not supported

                """)
        let json = try CLIRunner.run(
            ["inspect", "--json", pickle, "-"], stdin: try Data(contentsOf: URL(fileURLWithPath: structured)))
        #expect(json.status == 0)
        #expect(
            json.stdoutText.split(separator: "\n").map(String.init) == [
                #"{"file":"\#(pickle)","version":"1.0","descr":"|O","shape":[2,3],"fortran_order":false,"data_offset":128,"data_bytes":null,"transformed":false,"reason":"object dtype (pickle); npdrop never loads pickles"}"#,
                #"{"file":"-","version":"1.0","descr":"[('a', '<i4'), ('b', '<f4'), ('c', '<i8')]","shape":[2],"fortran_order":false,"data_offset":112,"data_bytes":null,"transformed":false,"reason":"structured dtype (record fields) is not supported"}"#,
            ])
    }

    /// An .npz lists every member: method, compressed and uncompressed size, array header.
    @Test func archivesListEveryMember() throws {
        let compressed = CLIRunner.corpus.appendingPathComponent("ExpHP-npyz/compressed.npz").path
        let libnpy = CLIRunner.corpus.appendingPathComponent("matajoh-libnpy/test.npz").path
        let empty = CLIRunner.packageRoot.appendingPathComponent("Fixtures/npz/empty.npz").path
        let result = try CLIRunner.run(["inspect", compressed, libnpy, empty])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(
            result.stdoutText == """
                \(compressed): npz, 2 members
                  ints.npy: deflated, 80 bytes (160 uncompressed); npy 1.0, <i8, shape (4,), C order, data at byte 128, 32 data bytes
                  floats.npy: deflated, 78 bytes (144 uncompressed); npy 1.0, <f8, shape (2, 1), C order, data at byte 128, 16 data bytes
                \(libnpy): npz, 3 members
                  color.npy: stored, 203 bytes (203 uncompressed); npy 1.0, |u1, shape (5, 5, 3), C order, data at byte 128, 75 data bytes
                  depth.npy: stored, 228 bytes (228 uncompressed); npy 1.0, <f4, shape (5, 5), C order, data at byte 128, 100 data bytes
                  unicode.npy: stored, 528 bytes (528 uncompressed); npy 1.0, <U2, shape (5, 2, 5), C order, data at byte 128; copied, not transformed: unicode dtype is not supported
                \(empty): npz, 0 members

                """)
        let json = try CLIRunner.run(["inspect", "--json", libnpy])
        #expect(json.status == 0)
        #expect(
            json.stdoutText == #"{"file":"\#(libnpy)","format":"npz","members":["#
                + #"{"name":"color.npy","method":"stored","compressed_bytes":203,"uncompressed_bytes":203,"version":"1.0","descr":"|u1","shape":[5,5,3],"fortran_order":false,"data_offset":128,"data_bytes":75},"#
                + #"{"name":"depth.npy","method":"stored","compressed_bytes":228,"uncompressed_bytes":228,"version":"1.0","descr":"<f4","shape":[5,5],"fortran_order":false,"data_offset":128,"data_bytes":100},"#
                + #"{"name":"unicode.npy","method":"stored","compressed_bytes":528,"uncompressed_bytes":528,"version":"1.0","descr":"<U2","shape":[5,2,5],"fortran_order":false,"data_offset":128,"data_bytes":null,"transformed":false,"reason":"unicode dtype is not supported"}]}"#
                + "\n")
        let object = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any]
        #expect((object?["members"] as? [Any])?.count == 3)
    }

    /// A member whose header is broken is reported (exit 1) and the other members are still listed.
    @Test func aBadMemberIsReportedAndTheOthersListed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npdrop-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A stored archive with a good member, one that is not an .npy and one with a bad magic.
        let good = try Data(contentsOf: CLIRunner.fixtures.appendingPathComponent("le_i4_C_r0.npy"))
        let archive = StoredZip.archive([
            ("good.npy", good), ("notes.txt", Data("hi".utf8)), ("bad.npy", Data("NOTNUMPY".utf8)),
        ])
        let path = directory.appendingPathComponent("a.npz").path
        try archive.write(to: URL(fileURLWithPath: path))
        let result = try CLIRunner.run(["inspect", path])
        #expect(result.status == 1)
        #expect(
            result.stdoutText == """
                \(path): npz, 3 members
                  good.npy: stored, \(good.count) bytes (\(good.count) uncompressed); npy 1.0, <i4, shape (), C order, data at byte 128, 4 data bytes
                  notes.txt: stored, 2 bytes (2 uncompressed); not an .npy member; copied, not transformed
                  bad.npy: stored, 8 bytes (8 uncompressed); header unreadable (see the error)

                """)
        #expect(result.stderr.hasPrefix("npdrop: \(path): member 'bad.npy': "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
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
        #expect(
            result.stdoutText
                == "\(long.path): npy 1.0, <f8, shape (2, 3), C order, data at byte 128, 48 data bytes, trailing bytes ignored\n"
        )
    }

    @Test func standardInput() throws {
        let data = try Data(contentsOf: CLIRunner.fixtures.appendingPathComponent("be_i8_F_r3.npy"))
        let result = try CLIRunner.run(["inspect", "--json", "-"], stdin: data)
        #expect(result.status == 0)
        #expect(
            result.stdoutText
                == #"{"file":"-","version":"1.0","descr":">i8","shape":[2,3,2],"fortran_order":true,"data_offset":128,"data_bytes":96}"#
                + "\n")
    }

    @Test func usageErrors() throws {
        let none = try CLIRunner.run(["inspect"])
        #expect(none.status == 2)
        #expect(none.stderr == "npdrop: Missing expected argument '<files> ...'\n")
        let unknown = try CLIRunner.run(["inspect", "--qqqqqq", "x.npy"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "npdrop: Unknown option '--qqqqqq'\n")
        let help = try CLIRunner.run(["inspect", "--help"])
        #expect(help.status == 0)
        #expect(help.stdoutText.contains("USAGE: npdrop inspect <files> ... [--json]"))
    }
}
