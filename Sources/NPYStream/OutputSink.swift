import NPDropPlatform
import NPYFormat

/// Where the bytes of one output file go: the one seam every file job writes through (the
/// `.npy` segments' positioned writes, the mask, the zip writer's buffered flushes, copies).
///
/// A job is handed a sink per output and never learns what is behind it: `FileOutputSink`
/// writes into the (temporary) output file; a comparing sink (`verify`) reads the existing
/// output at the same offsets and records where it differs instead of writing. Calls come once
/// per buffer or segment (never per element), so a protocol call is cheap.
///
/// The bytes a job hands to `write` are its output exactly: every byte of the final file is
/// written once, except that the zip writer patches each member's local header after its data
/// (the header is first written with zero CRC and sizes, then written again at the same offset),
/// and `setLength` may extend with zeros that a later `write` fills.
public protocol OutputSink: AnyObject, Sendable {
    /// How messages name the output (the user's final path, never a temporary).
    var name: String { get }

    /// Puts all of `bytes` at byte `offset` of the output. Calls for disjoint ranges may come from
    /// several threads at once (segments of one `.npy`). Throws a `FileError` when the file
    /// cannot be written.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws

    /// Makes the output exactly `length` bytes long (cutting, or extending with zeros): before
    /// segments are written out of order, and at the end of an archive or packed mask.
    func setLength(_ length: Int) throws

    /// The open output file, for a kernel copy (`copy_file_range`) that moves bytes without
    /// passing them through `write`; nil when every byte must go through `write`.
    var descriptorForKernelCopy: FileDescriptor? { get }

    /// Told after a kernel copy put `count` bytes of `input` at offsets `0..<count` of
    /// `descriptorForKernelCopy` without passing them through `write`: a sink that checksums
    /// what it writes (and the input's digest, if any) learns them here. Throws a `FileError`.
    func kernelCopied(_ count: Int, from input: FileDescriptor) throws
}

extension OutputSink {
    /// By default nothing is kept of bytes the kernel copied.
    public func kernelCopied(_ count: Int, from input: FileDescriptor) throws {}
}
