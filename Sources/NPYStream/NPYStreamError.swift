import NPDropPlatform
import NPYFormat

/// An I/O failure or misuse of a stream, below the format rules.
public enum NPYStreamError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A system call failed with `code` (an errno value).
    case system(operation: String, code: Int32)
    /// A write call reported 0 bytes written for a non-empty buffer.
    case noProgress(operation: String)
    /// `NPYWriter.finish` found fewer data bytes than the header announces.
    case dataLengthMismatch(expected: Int, written: Int)
    /// More data was given to an `NPYWriter` than the header announces.
    case tooMuchData(expected: Int, given: Int)

    public var description: String {
        switch self {
        case .system(let operation, let code):
            return "\(operation) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .noProgress(let operation):
            return "\(operation) made no progress"
        case .dataLengthMismatch(let expected, let written):
            return "array data incomplete: header announces \(expected) bytes, \(written) were written"
        case .tooMuchData(let expected, let given):
            return "too much array data: header announces \(expected) bytes, \(given) were given"
        }
    }
}
