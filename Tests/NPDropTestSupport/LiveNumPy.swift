import Foundation

/// Runs `python3` with NumPy for tests that compare against the real producer.
public enum LiveNumPy {
    /// True when `python3` can import numpy (live tests skip only when it cannot), and always
    /// when `NPDROP_LIVE_NUMPY=1` (as `.ci/run` sets it): then a missing NumPy fails the live
    /// tests instead of skipping them.
    public static let isAvailable: Bool = {
        isRequired || (try? run("import numpy")) != nil
    }()

    /// `NPDROP_LIVE_NUMPY=1` is set: tests that compare with NumPy must run.
    public static var isRequired: Bool {
        ProcessInfo.processInfo.environment["NPDROP_LIVE_NUMPY"] == "1"
    }

    /// Runs `script` with `python3 -c`, returns its stdout; throws if it exits non-zero.
    public static func run(_ script: String, arguments: [String] = [], stdin: Data? = nil) throws -> Data {
        try LivePython.run(["-c", script] + arguments, stdin: stdin)
    }
}

public struct LiveNumPyError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { "python3 failed: \(message)" }
}
