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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LiveNumPyError(message: String(decoding: errorData, as: UTF8.self))
        }
        return data
    }
}

public struct LiveNumPyError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { "python3 failed: \(message)" }
}
