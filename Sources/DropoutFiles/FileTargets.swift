import NPYStream

/// Where one file's outputs are written: open, empty files (temporaries the caller renames
/// into place when the job succeeded), written with positioned writes.
public struct FileTargets: Sendable {
    /// The result file (`.npy` or `.npz`, like the input).
    public let data: FileDescriptor
    /// How messages name the result file.
    public let dataName: String
    /// The mask file, or nil when no mask is written.
    public let mask: FileDescriptor?
    /// How messages name the mask file.
    public let maskName: String?

    /// Targets; see the properties.
    public init(data: FileDescriptor, dataName: String, mask: FileDescriptor?, maskName: String?) {
        self.data = data
        self.dataName = dataName
        self.mask = mask
        self.maskName = maskName
    }
}
