import NPYStream
import NPZContainer

/// Turns an error met while processing one array into the runner's `RunnerError.array`: one
/// line that names the input by its relpath (the zip layer names archives by the path it
/// opened, which is replaced by the relpath) and, for an npz, the member.
enum InputErrorMessage {
    /// `error` as `RunnerError.array(member:message:)` for `member` of `task`'s input.
    /// A usage or array error passes through unchanged.
    static func attribute(_ error: any Error, task: FileTask, member: String?) -> RunnerError {
        if let runner = error as? RunnerError {
            if case .array = runner { return runner }
        }
        var inner: any Error = error
        if let file = error as? FileError, file.underlying is ZipError { inner = file.underlying }
        var text = String(describing: inner).split(whereSeparator: \.isNewline).joined(separator: " ")
        let absolute = task.input.absolutePath
        if text.hasPrefix(absolute) {
            text = task.input.relativePath + text.dropFirst(absolute.count)
        } else if !text.hasPrefix(task.input.relativePath) {
            text = task.input.relativePath + (member.map { " [\($0)]" } ?? "") + ": " + text
        }
        return .array(member: member, message: text)
    }
}
