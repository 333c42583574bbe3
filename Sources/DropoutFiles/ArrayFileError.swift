import NPYStream
import NPZContainer

/// An error that knows which npz member it concerns; a run puts that member in the error record.
public protocol MemberAttributedError: Error {
    /// The zip entry name (e.g. `x.npy`), or nil when the error concerns the whole file.
    var memberName: String? { get }
}

/// One array of an input file (an `.npy` file, or `member` of an `.npz`) could not be
/// processed. `description` is one line that names the input as its request names it (the zip
/// layer names archives by the path it opened, which is replaced) and, for an npz, the member;
/// `underlying` is the error as the lower layer threw it.
public struct ArrayFileError: Error, CustomStringConvertible, MemberAttributedError {
    /// The npz member, nil for an `.npy` file or the archive as a whole.
    public let member: String?
    /// One line naming the file, the member and the problem.
    public let description: String
    /// The error as it was thrown below.
    public let underlying: any Error

    /// The npz member (`MemberAttributedError`).
    public var memberName: String? { member }

    /// An error with this exact message, e.g. for misuse found by a job itself.
    init(member: String?, description: String, underlying: any Error) {
        self.member = member
        self.description = description
        self.underlying = underlying
    }

    /// `error` attributed to `member` of `request`'s input. An `ArrayFileError` passes through.
    static func attributing(_ error: any Error, to request: FileRequest, member: String?) -> ArrayFileError {
        if let attributed = error as? ArrayFileError { return attributed }
        var inner: any Error = error
        if let file = error as? FileError, file.underlying is ZipError { inner = file.underlying }
        var text = String(describing: inner).split(whereSeparator: \.isNewline).joined(separator: " ")
        if text.hasPrefix(request.path) {
            text = request.name + text.dropFirst(request.path.count)
        } else if !text.hasPrefix(request.name) {
            text = request.name + (member.map { " [\($0)]" } ?? "") + ": " + text
        }
        return ArrayFileError(member: member, description: text, underlying: error)
    }
}

/// What a job itself refuses (not an error of a lower layer).
struct FileJobMisuse: Error, CustomStringConvertible {
    let description: String
}
