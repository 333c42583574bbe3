/// Any error of any layer, tagged with where it happened (file, member, copy): the one wrapper
/// that carries a location and the underlying typed error, as a value, up to the console.
///
/// Renders as `"<location>: <message>"` (see `ErrorLocation`): `"<path>: <message>"`, or
/// `"<path>: member '<member>': <message>"` for an npz member.
public struct FileError: Error, CustomStringConvertible {
    /// Where it happened.
    public var location: ErrorLocation
    /// The error itself: an `NPYFormatError`, `NPYStreamError`, `ZipError`, `DropoutError`...
    public var underlying: any Error

    /// Tags `underlying` with `location`. When `underlying` knows its member (`LocatedError`)
    /// and `location` names none, the underlying error's member is kept.
    public init(location: ErrorLocation, underlying: any Error) {
        var location = location
        if location.member == nil, let member = (underlying as? LocatedError)?.member {
            location.member = member
        }
        self.location = location
        self.underlying = underlying
    }

    /// Tags `underlying` with `path` and, for an npz member, `member`.
    public init(path: String, member: String? = nil, underlying: any Error) {
        self.init(location: ErrorLocation(file: path, member: member), underlying: underlying)
    }

    /// The file as the user named it.
    public var path: String { location.file }
    /// The npz entry name, when the error concerns one member.
    public var member: String? { location.member }

    /// The underlying error's message without any location of its own (one line).
    public var reason: String {
        if let located = underlying as? LocatedError { return located.reason }
        let message = (underlying as? CustomStringConvertible)?.description ?? "\(underlying)"
        return MessageText.escaped(message)
    }

    /// One line: the location, then the message; names are escaped (`MessageText`).
    public var description: String {
        location.description + ": " + reason
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
