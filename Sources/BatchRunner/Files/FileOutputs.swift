/// The temporary outputs of one task: committed to their final names after `finish`.
public struct FileOutputs: Sendable {
    /// The result file (`.npy` or `.npz`, like the input).
    public let data: OutputFile
    /// The mask file, or nil with `--no-masks`.
    public let mask: OutputFile?

    /// Outputs; see the properties.
    public init(data: OutputFile, mask: OutputFile?) {
        self.data = data
        self.mask = mask
    }
}
