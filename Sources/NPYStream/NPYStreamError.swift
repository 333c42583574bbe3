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

/// Any error of a lower layer, tagged with the file (and npz member) it concerns.
///
/// The one wrapper every layer uses to put a path in front of a message:
/// `"<path>: <message>"`, or `"<path>: <member>: <message>"` for an npz member.
public struct FileError: Error, CustomStringConvertible {
    /// The file as the user named it (`<stdin>`/`<stdout>` for `-`).
    public var path: String
    /// The npz entry name, when the error concerns one member.
    public var member: String?
    /// The error itself: an `NPYFormatError`, `NPYStreamError`, or another layer's error.
    public var underlying: any Error

    /// Tags `underlying` with `path` and, for an npz member, `member`.
    public init(path: String, member: String? = nil, underlying: any Error) {
        self.path = path
        self.member = member
        self.underlying = underlying
    }

    /// One line: the path and member are escaped (`MessageText`), as they may hold any bytes.
    public var description: String {
        let message = (underlying as? CustomStringConvertible)?.description ?? "\(underlying)"
        let place = MessageText.escaped(path) + (member.map { ": " + MessageText.escaped($0) } ?? "")
        return place + ": " + MessageText.escaped(message)
    }

    /// Runs `body`, wrapping any error it throws in a `FileError` for `path`/`member`.
    /// A `FileError` thrown by `body` passes through unchanged (it already names its file).
    public static func wrapping<T>(path: String, member: String? = nil, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as FileError {
            throw error
        } catch {
            throw FileError(path: path, member: member, underlying: error)
        }
    }
}
