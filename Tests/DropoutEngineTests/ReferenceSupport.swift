import Foundation
import NPDropTestSupport
import Testing

/// Paths and helpers the DropoutEngine tests share: the package root (from `#filePath`), the
/// RNG vectors in Fixtures/rng, and a way to run a Python script with NumPy and read what it prints.
enum Reference {
    /// `<package root>`, three levels above this file (Tests/DropoutEngineTests/<file>).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `<package root>/Fixtures/rng`: NumPy's RNG test vectors (copied from the project's spec).
    static let rngFixtures: URL = packageRoot.appendingPathComponent("Fixtures").appendingPathComponent("rng")

    /// `<package root>/python/npdrop_ref.py`.
    static let referenceScript: URL = packageRoot.appendingPathComponent("python").appendingPathComponent(
        "npdrop_ref.py")

    /// True when python3 is on PATH (or `NPDROP_LIVE_NUMPY=1` makes the live tests mandatory).
    static var hasPython: Bool { LivePython.isAvailable }

    struct PythonFailure: Error, CustomStringConvertible {
        let status: Int32
        let stderr: String
        var description: String { "python3 exited with \(status): \(stderr)" }
    }

    /// Runs `script` with python3 (the reference module importable as `npdrop_ref`) and returns
    /// its stdout; throws with stderr when it exits non-zero. `jsonInput` (any JSONSerialization
    /// value) is written to a file whose path is the script's `sys.argv[1]`.
    static func runPython(_ script: String, jsonInput: Any? = nil) throws -> String {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scriptURL = dir.appendingPathComponent("script.py")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        var arguments: [String] = []
        if let jsonInput {
            let inputURL = dir.appendingPathComponent("input.json")
            try JSONSerialization.data(withJSONObject: jsonInput).write(to: inputURL)
            arguments.append(inputURL.path)
        }
        return try runPythonFile(scriptURL, arguments: arguments, workDir: dir)
    }

    /// A new empty folder under the temporary directory; the caller removes it.
    static func makeTemporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("npdrop-rng-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs a Python file with `arguments`; returns stdout, throws with stderr on failure.
    static func runPythonFile(_ file: URL, arguments: [String], workDir: URL? = nil) throws -> String {
        let result = try LivePython.launch(
            [file.path] + arguments,
            environment: ["PYTHONPATH": packageRoot.appendingPathComponent("python").path])
        guard result.status == 0 else { throw PythonFailure(status: result.status, stderr: result.stderr) }
        return result.stdoutText
    }

    /// Parses JSON text printed by a script.
    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }
}

/// A small deterministic generator for test inputs (SplitMix64).
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func next128() -> UInt128 { (UInt128(next()) << 64) | UInt128(next()) }
}

extension UInt128 {
    /// Parses `0x...` hex text (any length that fits in 128 bits).
    init?(hex: String) {
        let digits = hex.hasPrefix("0x") ? String(hex.dropFirst(2)) : hex
        self.init(digits, radix: 16)
    }
}

extension UInt64 {
    /// Parses `0x...` hex text.
    init?(hex: String) {
        let digits = hex.hasPrefix("0x") ? String(hex.dropFirst(2)) : hex
        self.init(digits, radix: 16)
    }
}

/// Decimal text of a UInt128 (Python reads it as an int).
func decimal(_ value: UInt128) -> String { String(value) }
