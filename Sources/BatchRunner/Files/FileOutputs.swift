import NPYStream

/// The temporary outputs of one task: committed to their final names after `finish`.
public struct FileOutputs: Sendable {
    /// The result file (`.npy` or `.npz`, like the input).
    public let data: OutputFile
    /// The mask file, or nil with `--no-masks`.
    public let mask: OutputFile?
    /// Where the processor records the input's bytes as it reads them (the record's input
    /// CRC-32C; what it does not record is read back at commit), or nil when the run keeps no
    /// digests.
    public let inputDigest: ByteRangeDigest?

    /// Outputs; see the properties.
    public init(data: OutputFile, mask: OutputFile?, inputDigest: ByteRangeDigest? = nil) {
        self.data = data
        self.mask = mask
        self.inputDigest = inputDigest
    }
}
