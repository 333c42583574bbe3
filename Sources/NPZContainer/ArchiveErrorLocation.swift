import NPYFormat

extension FileError {
    /// `error` as the zip layer's entry points throw it (reader, writer, member source and sink):
    /// a `ZipError` (or any other error) located in the archive `archive` and, when the entry
    /// point concerns one, its `member`, said once here. A `FileError` passes unchanged: it
    /// already names its file (e.g. the sink of another archive a member is copied into).
    static func inArchive(_ archive: String, member: String? = nil, _ error: any Error) -> FileError {
        if let located = error as? FileError { return located }
        return FileError(path: archive, member: member, underlying: error)
    }
}
