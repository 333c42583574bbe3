import NPDropPlatform
import NPYFormat

/// The `OutputSink` that writes: positioned writes (`pwrite`) into an open file, safe from
/// several threads on disjoint ranges. Errors name the descriptor's path, as before the seam.
///
/// With a `digest`, every write is checksummed as it passes (the bytes are in cache) and the
/// file's CRC-32C comes from `contentCRC32C` without reading it back (a run's record keeps each
/// output's CRC-32C): a write over bytes already written (a zip local header patched in place)
/// has its difference folded in, reading the old bytes back when `descriptor` can read.
///
/// Made `coalescing` (a run's outputs, created empty), the sink saves system calls on small
/// files without changing a byte of them: a first `setLength` on the empty file is only
/// remembered, and a small write at offset 0 (an `.npy` or zip header) is held until the next
/// write, which goes out with it in one `pwritev` when it follows on directly. Whatever is held
/// goes to the file at `finishPendingWrites()` (before the file is closed, read back or handed
/// to a kernel copy), which then also applies a remembered length the writes did not reach, and
/// returns the file's length, known without an `fstat`.
public final class FileOutputSink: OutputSink, @unchecked Sendable {
    /// The file written to (not closed by the sink).
    public let descriptor: FileDescriptor
    /// How messages name the output.
    public let name: String
    /// Where what is written is checksummed, or nil.
    public let digest: ByteRangeDigest?
    /// Holds small leading writes and a first length (see the type's description).
    public let coalescing: Bool

    /// The largest write at offset 0 that a coalescing sink holds back.
    public static let heldWriteLimit = 4096

    /// What a coalescing sink holds back and knows of the file, guarded by `mutex` (a pthread
    /// mutex, which the thread sanitizer follows).
    private let mutex = PlatformMutex()
    private var state = Pending()

    private struct Pending {
        /// Bytes `0..<held.count` not yet written.
        var held: [UInt8] = []
        /// A length set while nothing was written, not yet applied.
        var length: Int?
        /// Just past the last byte written (or held, or kernel-copied) so far.
        var writtenEnd = 0
        /// The file's length as far as this sink changed it (it started empty).
        var knownLength = 0
        /// Nothing was written, held or cut yet.
        var untouched = true
    }

    /// Runs `body` on the pending state with the mutex held.
    private func locked<R>(_ body: (inout Pending) -> R) -> R {
        mutex.locked { body(&state) }
    }

    /// Writes into `descriptor` (the caller keeps owning it); `name` names the output in
    /// messages; what is written is recorded into `digest`. `coalescing` needs a file that is
    /// empty and changed only through this sink.
    public init(descriptor: FileDescriptor, name: String, digest: ByteRangeDigest? = nil, coalescing: Bool = false) {
        self.descriptor = descriptor
        self.name = name
        self.digest = digest
        self.coalescing = coalescing
    }

    /// `pwrite`s all of `bytes` at `offset` (a coalescing sink may hold or join them).
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        guard coalescing else {
            digest?.recordWrite(bytes, at: offset) { try descriptor.preadUnrecorded(into: $0, at: $1) }
            try descriptor.pwriteAll(bytes, at: offset)
            return
        }
        enum Step {
            case hold
            case join([UInt8])
            case write(flushing: [UInt8])
        }
        let end = offset + bytes.count
        let step = locked { pending -> Step in
            defer {
                pending.untouched = false
                pending.writtenEnd = max(pending.writtenEnd, end)
                pending.knownLength = max(pending.knownLength, end)
            }
            if pending.untouched, offset == 0, !bytes.isEmpty, bytes.count <= Self.heldWriteLimit {
                pending.held = Array(bytes)
                return .hold
            }
            let held = pending.held
            pending.held = []
            if !held.isEmpty, offset == held.count { return .join(held) }
            return .write(flushing: held)
        }
        switch step {
        case .hold:
            // Recorded now: a later write over these bytes finds them in the digest (and is then
            // not joined, so they are in the file before it reads them back).
            digest?.recordWrite(bytes, at: offset) { _, _ in 0 }
        case .join(let held):
            digest?.recordWrite(bytes, at: offset) { try descriptor.preadUnrecorded(into: $0, at: $1) }
            try held.withUnsafeBytes { try descriptor.pwriteAll($0, bytes, at: 0) }
        case .write(let held):
            if !held.isEmpty { try held.withUnsafeBytes { try descriptor.pwriteAll($0, at: 0) } }
            digest?.recordWrite(bytes, at: offset) { try descriptor.preadUnrecorded(into: $0, at: $1) }
            try descriptor.pwriteAll(bytes, at: offset)
        }
    }

    /// `ftruncate`s the file to `length` (a coalescing sink remembers a first length set on the
    /// still empty file instead).
    public func setLength(_ length: Int) throws {
        digest?.recordTruncate(to: length)
        guard coalescing else { return try descriptor.truncate(to: length) }
        let deferred = locked { pending -> Bool in
            defer { pending.knownLength = length }
            if pending.untouched {
                pending.length = length
                return true
            }
            return false
        }
        if deferred { return }
        try finishPendingWrites(forLength: length)
    }

    /// Writes what a coalescing sink holds and applies a remembered length, then returns the
    /// file's length when the sink knows it (a coalescing sink does), else nil. Call it before
    /// the file is closed or read other than through this sink. Throws a `FileError`.
    @discardableResult
    public func finishPendingWrites() throws -> Int? {
        try finishPendingWrites(forLength: nil)
    }

    /// `finishPendingWrites()`, then (with `cut`) `ftruncate` to `cut`.
    @discardableResult
    private func finishPendingWrites(forLength cut: Int?) throws -> Int? {
        guard coalescing else { return nil }
        let (held, length, writtenEnd, known) = locked { pending -> ([UInt8], Int?, Int, Int) in
            defer {
                pending.held = []
                pending.length = nil
                pending.untouched = false
            }
            return (pending.held, pending.length, pending.writtenEnd, pending.knownLength)
        }
        if !held.isEmpty { try held.withUnsafeBytes { try descriptor.pwriteAll($0, at: 0) } }
        if let cut {
            try descriptor.truncate(to: cut)
        } else if let length, length > writtenEnd {
            // Only a remembered length past everything written needs the file extended to it.
            try descriptor.truncate(to: length)
        }
        return known
    }

    /// Reads the `count` bytes the kernel copied back once — from this file when the descriptor
    /// can read (so the checksum is of the bytes on disk), else from `input` — and records them
    /// into this sink's digest and `input`'s. Nothing is read when neither has a digest.
    public func kernelCopied(_ count: Int, from input: FileDescriptor) throws {
        if coalescing {
            locked { pending in
                pending.writtenEnd = max(pending.writtenEnd, count)
                pending.knownLength = max(pending.knownLength, count)
            }
        }
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
        try finishPendingWrites()
        return try (digest ?? ByteRangeDigest()).crc32c(size: size) { try descriptor.preadUnrecorded(into: $0, at: $1) }
    }

    /// The file itself: a kernel copy may write into it directly (what a coalescing sink holds
    /// is written first).
    public var descriptorForKernelCopy: FileDescriptor? {
        if coalescing { _ = try? finishPendingWrites() }
        return descriptor
    }
}
