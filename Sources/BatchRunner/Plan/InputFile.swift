/// One input file found by the walk.
public struct InputFile: Sendable, Hashable {
    /// The container format, from the file name's extension (case-insensitive).
    public enum Kind: String, Sendable, Hashable {
        case npy, npz
        /// Any other regular file: carried over byte for byte, never parsed.
        case other
    }

    /// Path below INPUT with `/` separators (the base name when INPUT is a file).
    public let relativePath: String
    /// Absolute path to open.
    public let absolutePath: String
    /// `.npy` or `.npz`.
    public let kind: Kind
    /// Size when walked.
    public let byteCount: Int64
    /// Modification time when walked (ns since the epoch), from the walk's own `stat` of the
    /// file; nil when the walk did not stat it. `--resume` compares it with the records.
    public let modificationTimeNanoseconds: Int64?

    /// An input file; see the properties.
    public init(
        relativePath: String, absolutePath: String, kind: Kind, byteCount: Int64,
        modificationTimeNanoseconds: Int64? = nil
    ) {
        self.relativePath = relativePath
        self.absolutePath = absolutePath
        self.kind = kind
        self.byteCount = byteCount
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
    }
}
