/// What a job itself refuses (not an error of a lower layer).
struct FileJobMisuse: Error, CustomStringConvertible {
    let description: String
}
