import DropoutEngine
import NPYFormat
import NPYStream
import NPZContainer

/// What to do with one array of a file.
public enum MemberAction: Sendable {
    /// Apply dropout with these engine options.
    case process(DropoutOptions)
    /// Copy the npz member unchanged; no mask entry.
    case copy
}

/// One input file to turn into its outputs, with everything the bytes depend on: the same
/// request drives `npdrop apply`, one file of `npdrop run` and one file of `npdrop verify`.
public struct FileRequest: Sendable {
    /// The path to open.
    public let path: String
    /// How messages name the file (the relpath in a run, the path as typed for `apply`);
    /// a message that starts with `path` has it replaced by `name`.
    public let name: String
    /// The `relpath` of the stream key (contract §3.2): a member's key is `keyPath + "\0" + entry`.
    public let keyPath: String
    /// Augmentation copy index, 0-based (first element of the spawn key).
    public let copy: Int
    /// How output npz members are stored.
    public let encoding: MemberEncoding
    /// Aim for `.npy` segments of about this many data bytes (workers share bigger files).
    public let segmentBytes: Int
    /// What to do with `member` (a zip entry name such as `x.npy`; nil for an `.npy` file).
    /// Throws when the member's settings cannot work (reported against that member).
    public let action: @Sendable (_ member: String?) throws -> MemberAction
    /// For a member (nil: the `.npy` file) that `action` processes, why an array of `dtype` is
    /// copied instead (`--dtypes` does not select it), or nil to transform it. `apply`: never.
    public var copyReason: @Sendable (_ member: String?, _ dtype: DType) -> String? = { _, _ in nil }
    /// Copy, instead of refusing, an array of a dtype npdrop does not transform (strings,
    /// object, structured, datetime, ...): true for a run (a dataset is carried over whole),
    /// false for `apply` (which names the refused dtype).
    public var copiesUntransformedDTypes = false
    /// How masks are written: NumPy bools, or `np.packbits` of the flattened mask.
    public var maskFormat = MaskFormat.bool
    /// Where the input's bytes are checksummed as the job reads them (a run's record keeps the
    /// input's CRC-32C), or nil.
    public var inputDigest: ByteRangeDigest?

    /// A request; see the properties.
    public init(
        path: String, name: String, keyPath: String, copy: Int = 0, encoding: MemberEncoding = MemberEncoding(),
        segmentBytes: Int = FileRequest.defaultSegmentBytes,
        action: @escaping @Sendable (_ member: String?) throws -> MemberAction
    ) {
        self.path = path
        self.name = name
        self.keyPath = keyPath
        self.copy = copy
        self.encoding = encoding
        self.segmentBytes = segmentBytes
        self.action = action
    }

    /// Segments of 64 MiB of data: big enough that a segment's set-up cost vanishes, small
    /// enough that a big file keeps every core busy.
    public static let defaultSegmentBytes = 64 << 20

    /// The stream key of `member` (contract §3.2).
    public func arrayKey(forMember member: String?) -> ArrayKey {
        ArrayKey(relpath: keyPath, member: member)
    }
}
