/// Errors of the batch-runner layer: usage mistakes (exit status 2), malformed run files
/// (config, manifest) and failed system calls (exit status 1).
public enum RunnerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The command line, config file or environment asks for something impossible.
    case usage(String)
    /// A system call on `path` failed; `operation` names it ("open", "rename", ...).
    case io(path: String, operation: String, errno: Int32)
    /// A run file (config, manifest) does not hold what the runner expects.
    case malformed(path: String, detail: String)

    /// One line naming the file, what was expected and what was found.
    public var description: String {
        switch self {
        case .usage(let message):
            return message
        case .io(let path, let operation, let code):
            return "cannot \(operation) '\(path)': \(RunnerFS.errnoDescription(code))"
        case .malformed(let path, let detail):
            return "'\(path)': \(detail)"
        }
    }

    /// The process exit status this error calls for: 2 for usage errors, 1 otherwise.
    public var exitCode: Int32 {
        if case .usage = self { return 2 }
        return 1
    }
}
