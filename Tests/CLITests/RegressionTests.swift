import Foundation
import Testing

/// Limits on what a file may declare, and reproducers of fuzzing finds, through the built binary:
/// each refusal is one line on stderr naming the file and the limit, exit status 1, and no output
/// file (or temporary file) left behind. docs/hardening.md has the table of limits.
@Suite struct RegressionTests {
    /// `.npy` bytes: magic, `version`, little-endian header length, `text` padded with spaces to `padTo`
    /// bytes (a final newline included), then `data`.
    static func npy(_ text: String, version: UInt8 = 1, padTo: Int? = nil, data: [UInt8] = []) -> Data {
        var header = Array(text.utf8)
        if let padTo { header += [UInt8](repeating: 0x20, count: padTo - header.count - 1) + [0x0A] }
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
        for index in 0..<(version == 1 ? 2 : 4) { bytes.append(UInt8(truncatingIfNeeded: header.count >> (8 * index))) }
        return Data(bytes + header + data)
    }

    /// Runs `npdrop inspect` and `npdrop apply --rate 0` on `contents` (written to a fresh directory)
    /// and checks both refuse it with exactly `npdrop: <file>: <message>`, leaving no output.
    static func expectRefused(
        _ contents: Data, message: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "npdrop-regression-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.npy").path
        try contents.write(to: URL(fileURLWithPath: input))

        let inspected = try CLIRunner.run(["inspect", input])
        #expect(inspected.status == 1, sourceLocation: sourceLocation)
        #expect(inspected.stderr == "npdrop: \(input): \(message)\n", sourceLocation: sourceLocation)

        let output = directory.appendingPathComponent("out.npy").path
        let applied = try CLIRunner.run(["apply", input, output, "--rate", "0"])
        #expect(applied.status == 1, sourceLocation: sourceLocation)
        #expect(applied.stderr == "npdrop: \(input): \(message)\n", sourceLocation: sourceLocation)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["in.npy"],
            "apply left files behind", sourceLocation: sourceLocation)
    }

    /// Runs `inspect` on `contents` and returns its stdout line (the file must be accepted).
    static func inspectLine(_ contents: Data) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "npdrop-regression-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("ok.npy")
        try contents.write(to: input)
        let result = try CLIRunner.run(["inspect", input.path])
        #expect(result.status == 0 && result.stderr == "")
        return result.stdoutText.replacingOccurrences(of: input.path + ": ", with: "")
    }

    static let sizeLimit =
        "needs more than the limit of 9223372036854775807 bytes (as NumPy, counting every non-zero dimension)"

    // MARK: Limits

    @Test func headerLengthLimitIs64KiB() throws {
        let text = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }"
        // Exactly 65,536 bytes of header text (version 2.0 has room for it) is accepted...
        #expect(
            try Self.inspectLine(Self.npy(text, version: 2, padTo: 65536, data: [0, 0, 0x80, 0x3F]))
                == "npy 2.0, <f4, shape (1,), C order, data at byte 65548, 4 data bytes\n")
        // ...one more is refused from the length field alone, before anything is allocated.
        try Self.expectRefused(
            Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 2, 0, 0x01, 0x00, 0x01, 0x00]),
            message: "header length 65537 bytes exceeds the limit of 65536 bytes")
        try Self.expectRefused(
            Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 3, 0, 0xFF, 0xFF, 0xFF, 0xFF]),
            message: "header length 4294967295 bytes exceeds the limit of 65536 bytes")
    }

    @Test func dimensionLimitIs64() throws {
        let ones = { (count: Int) in "(" + String(repeating: "1, ", count: count) + ")" }
        #expect(
            try Self.inspectLine(
                Self.npy("{'descr': '|u1', 'fortran_order': False, 'shape': \(ones(64)), }", data: [7])
            )
            .hasPrefix("npy 1.0, |u1, shape (1, 1, 1,"))
        try Self.expectRefused(
            Self.npy("{'descr': '|u1', 'fortran_order': False, 'shape': \(ones(65)), }", data: [7]),
            message: "shape has 65 dimensions, more than the limit of 64")
    }

    @Test func elementCountLimit() throws {
        // 2**32 * 2**32 elements of one byte: the element count itself does not fit.
        try Self.expectRefused(
            Self.npy("{'descr': '|u1', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"),
            message: "array too large: shape (4294967296, 4294967296) with 1-byte elements \(Self.sizeLimit)")
    }

    @Test func byteSizeLimit() throws {
        // 2**61 elements fit in Int, 2**61 * 8 bytes do not.
        try Self.expectRefused(
            Self.npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,), }"),
            message: "array too large: shape (2305843009213693952,) with 8-byte elements \(Self.sizeLimit)")
    }

    @Test func declaredDataSizeAgainstActualBytes() throws {
        // The header declares 2 x 3 float64 = 48 data bytes; the file has 43.
        try Self.expectRefused(
            Self.npy(
                "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", padTo: 118,
                data: [UInt8](repeating: 0, count: 43)),
            message: "truncated data: expected 48 bytes, found 43")
        // A header that claims a terabyte over a few bytes: refused by size, nothing allocated for it.
        try Self.expectRefused(
            Self.npy(
                "{'descr': '<f8', 'fortran_order': False, 'shape': (137438953472,), }", padTo: 118, data: [1, 2, 3]),
            message: "truncated data: expected 1099511627776 bytes, found 3")
    }

    // MARK: Fuzzing finds

    /// Finding 2 (scripts/fuzz.sh npy-header): this 108-byte file crashed `npdrop inspect` with an
    /// arithmetic-overflow trap (the size check skipped empty arrays, `elementCount` did not).
    @Test func emptyArrayWithOverflowingDimensionsIsRefusedNotATrap() throws {
        let file = Self.npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904, 0), }")
        #expect(file.count == 108)
        try Self.expectRefused(
            file,
            message:
                "array too large: shape (4611686018427387904, 4611686018427387904, 0) with 4-byte elements \(Self.sizeLimit)"
        )
    }

    /// Finding 4 (found probing the apply target): an empty array whose noise is huge, shape
    /// (2**40, 0, 1) with spatial1d (noise (2**40, 1, 1)), made `apply --mask` write a 1 TiB mask
    /// from an 84-byte file. Refused now, before anything is written.
    @Test func hugeMaskOfAnEmptyArrayIsRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "npdrop-regression-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.npy").path
        let file = Self.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 0, 1), }")
        #expect(file.count == 84)
        try file.write(to: URL(fileURLWithPath: input))
        let output = directory.appendingPathComponent("out.npy").path
        let mask = directory.appendingPathComponent("mask.npy").path
        let result = try CLIRunner.run([
            "apply", input, output, "--variant", "spatial1d", "--rate", "0.5", "--seed", "1",
            "--mask", mask,
        ])
        #expect(result.status == 1)
        #expect(
            result.stderr == "npdrop: \(input): noise shape (1099511627776, 1, 1) has 1099511627776 elements for the "
                + "empty array of shape (1099511627776, 0, 1), more than the limit of 67108864 (the mask would be "
                + "1099511627776 bytes)\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["in.npy"])
    }

    /// Finding 1 (scripts/fuzz.sh npy-header): a descr with a line break or a terminal escape sequence
    /// was printed raw, breaking the one-line message (and reaching the terminal).
    @Test func controlCharactersInADescrAreEscaped() throws {
        let file = Self.npy("{'descr': '<f4\\n\\x1b]0;pwned\\x07', 'fortran_order': False, 'shape': (1,), }")
        let message = "unsupported dtype '<f4\\x0a\\x1b]0;pwned\\x07': not a NumPy dtype npdrop knows"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "npdrop-regression-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.npy").path
        try file.write(to: URL(fileURLWithPath: input))
        let applied = try CLIRunner.run([
            "apply", input, directory.appendingPathComponent("out.npy").path, "--rate", "0",
        ])
        #expect(applied.status == 1)
        #expect(applied.stderr == "npdrop: \(input): \(message)\n")
        // inspect shows the header of a dtype it does not transform, the descr escaped on one line.
        let inspected = try CLIRunner.run(["inspect", input])
        #expect(inspected.status == 0)
        #expect(
            inspected.stdoutText == "\(input): npy 1.0, <f4\\x0a\\x1b]0;pwned\\x07, shape (1,), C order, data at byte "
                + "\(file.count); copied, not transformed: not a NumPy dtype npdrop knows\n")
    }
}
