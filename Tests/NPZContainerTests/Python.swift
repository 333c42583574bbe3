import Foundation
import NPDropTestSupport

/// Live python3 (+ NumPy) for comparisons. Tests that need it skip only when python3 is missing
/// (never with `NPDROP_LIVE_NUMPY=1`); launched through `LivePython`.
enum Python {
    /// True when python3 is on PATH (or `NPDROP_LIVE_NUMPY=1` makes the live tests mandatory).
    static var isAvailable: Bool { LivePython.isAvailable }

    /// Runs `python3 -c script args...`; returns (exit status, stdout, stderr).
    @discardableResult
    static func run(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, out: String, err: String) {
        try runModule(["-c", script] + arguments)
    }

    /// Runs `python3 arguments...`.
    static func runModule(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let result = try LivePython.launch(arguments)
        return (result.status, result.stdoutText, result.stderr)
    }

    /// SHA-256 (hex) of every member's bytes as Python's zipfile extracts them, in infolist order,
    /// as (name, digest) pairs.
    static func memberDigests(_ path: String) throws -> [(String, String)] {
        let script = """
            import hashlib, sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as zf:
                for info in zf.infolist():
                    print(info.filename.encode('utf-8').hex(), hashlib.sha256(zf.read(info)).hexdigest())
            """
        let result = try run(script, [path])
        guard result.status == 0 else { throw PythonFailure(message: result.err) }
        return result.out.split(separator: "\n").map { line in
            let parts = line.split(separator: " ")
            return (String(decoding: hexBytes(String(parts[0])), as: UTF8.self), String(parts[1]))
        }
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(hex.utf8)[...]
        while chars.count >= 2 {
            out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16) ?? 0)
            chars = chars.dropFirst(2)
        }
        return out
    }

    struct PythonFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { "python3 failed: \(message)" }
    }
}
