import NPYFormat

extension FileError: MemberAttributedError {
    /// The npz member of the location (`MemberAttributedError`).
    public var memberName: String? { location.member }
}

extension FileError {
    /// `error` located in `request`'s input (and `member` of it), the input named as the request
    /// names it. The location is set as a value: a lower layer's location at the path the job
    /// opened (`request.path`) is re-named `request.name`; an error of another file (an output)
    /// is kept whole under the input's location; an error with no location gets the input's.
    static func attributing(_ error: any Error, to request: FileRequest, member: String?) -> FileError {
        var located: FileError
        if let file = error as? FileError {
            located = file
        } else {
            located = FileError(location: ErrorLocation(file: request.name, member: member), underlying: error)
        }
        if located.location.file == request.path { located.location.file = request.name }
        if located.location.file != request.name {
            located = FileError(location: ErrorLocation(file: request.name, member: member), underlying: located)
        }
        if located.location.member == nil { located.location.member = member }
        located.location.copy = request.copy
        return located
    }
}
