import Foundation
import Testing

/// Every line npdrop writes to stderr goes through one escaping printer: a file name holding a
/// terminal escape sequence reaches the terminal as `\x1b`, never as the ESC byte, whichever
/// command prints it.
@Suite struct EscapedMessagesCLITests {
    static let hostile = "no\u{1B}[31mpe"

    private func expectEscaped(_ arguments: [String], status: Int32, file: String = #fileID, line: Int = #line) throws {
        let result = try CLIRunner.run(arguments)
        let location = SourceLocation(fileID: file, filePath: file, line: line, column: 1)
        #expect(result.status == status, "\(arguments): \(result.stderr)", sourceLocation: location)
        #expect(!result.stderr.utf8.contains(0x1B), "\(arguments) printed an ESC byte", sourceLocation: location)
        #expect(result.stderr.contains("no\\x1b[31mpe"), "\(arguments): \(result.stderr)", sourceLocation: location)
    }

    @Test func aPathWithAnEscapeSequenceIsPrintedEscapedByEveryCommand() throws {
        let scratch = try ScratchDirectory("escape")
        let out = scratch.path("out")
        try expectEscaped(["run", Self.hostile, "--output", "x", "--rate", "0.5"], status: 2)
        try expectEscaped(["apply", Self.hostile, scratch.path("o.npy"), "--rate", "0.5"], status: 1)
        try expectEscaped(["verify", Self.hostile, out], status: 2)
        try expectEscaped(["inspect", Self.hostile], status: 1)
        try expectEscaped(["merge-manifests", Self.hostile], status: 2)
        try expectEscaped(["status", Self.hostile], status: 1)
        try expectEscaped([Self.hostile], status: 2)
        try expectEscaped(["run", scratch.path("in"), "--output", out, "--rate", Self.hostile], status: 2)
    }

    @Test func aBadInputFileWithAnEscapeSequenceIsReportedEscapedByRunAndVerify() throws {
        let scratch = try ScratchDirectory("escape-run")
        let good = NPYBytes.file(descr: "<f4", shape: [4], data: NPYBytes.float32(count: 4, seed: 1))
        try scratch.write(good, to: "in/good.npy")
        try scratch.write(Data("not an npy file".utf8), to: "in/\(Self.hostile).npy")
        try expectEscaped(
            ["run", scratch.path("in"), "--output", scratch.path("out"), "--rate", "0.5", "--seed", "1"],
            status: 1)
        try expectEscaped(["verify", scratch.path("in"), scratch.path("out")], status: 1)
    }
}
