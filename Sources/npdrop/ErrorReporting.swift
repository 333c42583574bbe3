import ArgumentParser
import BatchRunner
import DropoutEngine
import NPDropPlatform
import NPYFormat
import NPYStream

/// A mistake in how npdrop was called, found after parsing (exit code 2).
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Failures that were already printed one per file; the command exits 1 without another message.
struct FailuresReported: Error {
    var count: Int
}

/// The one place that turns errors into a one-line `npdrop: <message>` on stderr and an exit code:
/// 0 success (and `--help`), 1 a file could not be processed, 2 usage errors.
enum ErrorReporting {
    static let usageExitCode: Int32 = 2
    static let failureExitCode: Int32 = 1

    /// Parses `arguments`, runs the command, reports any error, and exits the process.
    static func runAndExit(arguments: [String]) -> Never {
        // Writing to a closed pipe should give EPIPE (reported as an error), not kill the process.
        signal(SIGPIPE, SIG_IGN)
        exit(run(arguments: arguments))
    }

    /// Runs the command and returns the exit code. A separate function so that the command and any
    /// error are released before `exit` (LeakSanitizer reports what is still alive there).
    private static func run(arguments: [String]) -> Int32 {
        do {
            var command = try NPDrop.parseAsRoot(arguments)
            try checkRandomKernel()
            try command.run()
            return 0
        } catch {
            return report(error)
        }
    }

    /// A bad `NPDROP_RNG_KERNEL` (no such kernel, or one this CPU cannot run) is a usage error.
    private static func checkRandomKernel() throws {
        do {
            try RandomKernel.checkEnvironment()
        } catch {
            throw UsageError(error.description)
        }
    }

    /// Prints what `error` means (help text to stdout, anything else to stderr) and returns the exit code.
    static func report(_ error: any Error) -> Int32 {
        switch error {
        case let reported as FailuresReported:
            return reported.count > 0 ? failureExitCode : 0
        case let usage as UsageError:
            printError(usage.description)
            return usageExitCode
        case let runner as RunnerError:
            printError(runner.description)
            return runner.exitCode
        case let exitCode as ExitCode:
            return exitCode.rawValue
        default:
            break
        }
        let code = NPDrop.exitCode(for: error)
        if code == .success {
            print(NPDrop.fullMessage(for: error))
            return 0
        }
        if code == .validationFailure {
            printError(NPDrop.message(for: error))
            return usageExitCode
        }
        // Errors from the libraries name their file already (FileError) and are one line.
        printError("\(error)")
        return failureExitCode
    }

    /// Writes `npdrop: <message>` and a newline to stderr, escaped (`MessageText.errorLine`).
    static func printError(_ message: String) {
        let line = MessageText.errorLine(message)
        let standardError = FileDescriptor(rawValue: STDERR_FILENO, path: "<stderr>", owning: false)
        var bytes = Array(line.utf8)
        try? bytes.withUnsafeMutableBytes { try standardError.writeAll(UnsafeRawBufferPointer($0)) }
    }
}
