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

/// The `OutputSink` that writes: positioned writes (`pwrite`) into an open file, safe from
/// several threads on disjoint ranges. Errors name the descriptor's path, as before the seam.
///
/// With a `digest`, every write is checksummed as it passes (the bytes are in cache) and the
/// file's CRC-32C comes from `contentCRC32C` without reading it back (a run's record keeps each
/// output's CRC-32C): a write over bytes already written (a zip local header patched in place)
/// has its difference folded in, reading the old bytes back when `descriptor` can read.
public final class FileOutputSink: OutputSink {
    /// The file written to (not closed by the sink).
    public let descriptor: FileDescriptor
    /// How messages name the output.
    public let name: String
    /// Where what is written is checksummed, or nil.
    public let digest: ByteRangeDigest?

    /// Writes into `descriptor` (the caller keeps owning it); `name` names the output in
    /// messages; what is written is recorded into `digest`.
    public init(descriptor: FileDescriptor, name: String, digest: ByteRangeDigest? = nil) {
        self.descriptor = descriptor
        self.name = name
        self.digest = digest
    }

    /// `pwrite`s all of `bytes` at `offset`.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        digest?.recordWrite(bytes, at: offset) { try descriptor.preadUnrecorded(into: $0, at: $1) }
        try descriptor.pwriteAll(bytes, at: offset)
    }

    /// `ftruncate`s the file to `length`.
    public func setLength(_ length: Int) throws {
        digest?.recordTruncate(to: length)
        try descriptor.truncate(to: length)
    }

    /// Reads the `count` bytes the kernel copied back once — from this file when the descriptor
    /// can read (so the checksum is of the bytes on disk), else from `input` — and records them
    /// into this sink's digest and `input`'s. Nothing is read when neither has a digest.
    public func kernelCopied(_ count: Int, from input: FileDescriptor) throws {
        guard count > 0, digest != nil || input.digest != nil else { return }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(count, 1 << 20), alignment: 64)
        defer { buffer.deallocate() }
        var fromOutput = true
        var offset = 0
        while offset < count {
            let want = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, count - offset)])
            let n: Int
            do {
                n = try (fromOutput ? descriptor : input).preadUnrecorded(into: want, at: offset)
            } catch let error as FileError {
                guard fromOutput, offset == 0,
                    case NPYStreamError.system(_, EBADF)? = error.underlying as? NPYStreamError
                else { throw error }
                fromOutput = false
                continue
            }
            if n == 0 { break }
            let piece = UnsafeRawBufferPointer(rebasing: want[0..<n])
            digest?.recordRead(piece, at: offset)
            input.digest?.recordRead(piece, at: offset)
            offset += n
        }
    }

    /// The CRC-32C of the file's first `size` bytes: what `digest` recorded, the rest (all of
    /// it without a digest) read back through `descriptor`, which must then be readable.
    /// Throws a `FileError`.
    public func contentCRC32C(size: Int) throws -> UInt32 {
        try (digest ?? ByteRangeDigest()).crc32c(size: size) { try descriptor.preadUnrecorded(into: $0, at: $1) }
    }

    /// The file itself: a kernel copy may write into it directly.
    public var descriptorForKernelCopy: FileDescriptor? { descriptor }
}
