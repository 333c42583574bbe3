import NPYStream

/// Where one file's outputs go: an `OutputSink` per output. A run and `apply` write into open,
/// empty files (temporaries the caller renames into place when the job succeeded,
/// `FileOutputSink`); `verify` compares with the outputs already in OUT instead.
public struct FileTargets: Sendable {
    /// The result (`.npy` or `.npz`, like the input).
    public let data: any OutputSink
    /// The mask, or nil when no mask is written.
    public let mask: (any OutputSink)?

    /// Targets; see the properties.
    public init(data: any OutputSink, mask: (any OutputSink)?) {
        self.data = data
        self.mask = mask
    }

    /// Targets that write into open files with positioned writes; `dataName` and `maskName`
    /// name them in messages.
    public init(data: FileDescriptor, dataName: String, mask: FileDescriptor?, maskName: String?) {
        self.data = FileOutputSink(descriptor: data, name: dataName)
        self.mask = mask.map { FileOutputSink(descriptor: $0, name: maskName ?? $0.path) }
    }

    /// How messages name the result.
    public var dataName: String { data.name }
    /// How messages name the mask.
    public var maskName: String? { mask?.name }
}
