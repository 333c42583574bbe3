import Foundation

/// The one way the test targets start `python3`: found on PATH, stdout and stderr read to
/// their ends at the same time (so a chatty child never blocks), optional stdin and
/// environment. `LiveNumPy`, `LiveKeras` and every target's helpers go through it.
public enum LivePython {
    /// The `python3` on PATH, or nil.
    public static let executable: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        return nil
    }()

    /// True when python3 is on PATH, and always when `NPDROP_LIVE_NUMPY=1` (then a missing
    /// python3 fails the tests that need it instead of skipping them).
    public static var isAvailable: Bool { LiveNumPy.isRequired || executable != nil }

    /// What a finished `python3` run gave.
    public struct Result: Sendable {
        /// Exit status.
        public var status: Int32
        /// Everything written to stdout.
        public var stdout: Data
        /// Everything written to stderr, as text.
        public var stderr: String
        /// stdout as text.
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `python3 arguments...` with `stdin` (empty when nil) and `environment` added to this
    /// process's; returns whatever the status. Throws `LiveNumPyError` when python3 is missing.
    public static func launch(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
        currentDirectory: URL? = nil
    ) throws -> Result {
        guard let executable else { throw LiveNumPyError(message: "python3 is not on PATH") }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged["PYTHONDONTWRITEBYTECODE"] = "1"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let collected = Collected()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            collected.errors = errors.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            if let stdin { input.fileHandleForWriting.write(stdin) }
            try? input.fileHandleForWriting.close()
            group.leave()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: data, stderr: String(decoding: collected.errors, as: UTF8.self))
    }

    /// Runs `python3 arguments...` and returns its stdout; throws `LiveNumPyError` with its
    /// stderr when it exits non-zero.
    public static func run(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
        currentDirectory: URL? = nil
    ) throws -> Data {
        let result = try launch(arguments, stdin: stdin, environment: environment, currentDirectory: currentDirectory)
        guard result.status == 0 else {
            throw LiveNumPyError(message: "exit \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    private final class Collected: @unchecked Sendable { var errors = Data() }
}
