import NPDropPlatform
import NPYStream

/// The `OutputSink` of `npdrop verify`: instead of writing, it reads the output already in OUT
/// at the same offsets (`pread` into one of its reusable 1 MiB buffers, then `memcmp`) and keeps
/// the lowest offset where they differ. Nothing is written anywhere. Several workers may call
/// `write` at once for disjoint ranges (segments of one `.npy`); each call borrows its own buffer,
/// so memory stays at one buffer per concurrent writer.
///
/// Relies on what every job guarantees (see `OutputSink`): each byte of the output is handed
/// to `write` once (the zip writer sends a member's local header only once its CRC and sizes are
/// known), and the output's length is the last `setLength` or the end of the furthest write.
public final class ComparingOutputSink: OutputSink, @unchecked Sendable {
    /// How the comparison ended.
    public enum Comparison: Sendable, Hashable {
        /// Same length, same bytes.
        case identical
        /// OUT has no regular file there.
        case missing
        /// OUT's file has another length (`expected` is the re-derived length).
        case sizeDiffers(expected: Int64, found: Int64)
        /// Same length; the first differing byte is at `offset`.
        case differsAt(offset: Int64)
        /// An `.npz` compared by content (`ZipArchiveWriter(comparingContentOf:)`): nil when it
        /// holds the re-derived content, else what differs (one line, no path).
        case content(difference: String?)
        /// OUT's file could not be read (the message names the problem).
        case unreadable(String)
    }

    /// How messages name the output (OUT's path).
    public let name: String
    /// OUT's file, nil when it is missing or cannot be opened.
    public let existing: FileDescriptor?
    private let openFailure: String?
    /// The path OUT's file was opened at (an `.npz` compared by content is opened again there).
    public let existingPath: String
    private let existingSize: Int
    private let bufferBytes: Int
    private struct State {
        var length = 0
        var firstDifference: Int?
        var readFailure: String?
        var content: String??
        var freeBuffers: [UnsafeMutableRawBufferPointer] = []
        var allBuffers: [UnsafeMutableRawBufferPointer] = []
    }
    private let state = Locked(State())

    /// Compares with the regular file at `path`, named `name` in messages; a missing file (or
    /// anything but a regular file, not followed when a symlink) makes every comparison
    /// `.missing`; one that cannot be opened makes it `.unreadable`. Opens the file; allocates
    /// nothing until the first `write`.
    public init(comparingWith path: String, name: String, bufferBytes: Int = 1 << 20) {
        self.name = name
        self.existingPath = path
        self.bufferBytes = max(4096, bufferBytes)
        var info = stat()
        var opened: FileDescriptor?
        var size = 0
        var failure: String?
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            do {
                let descriptor = try FileDescriptor.openForReading(path)
                size = try descriptor.status().size
                opened = descriptor
            } catch {
                failure = "\(error)"
            }
        }
        existing = opened
        existingSize = size
        openFailure = failure
    }

    deinit {
        for buffer in state.withLock({ $0.allBuffers }) { buffer.deallocate() }
    }

    /// True when OUT has a regular file to compare with.
    public var exists: Bool { existing != nil }

    /// Compares `bytes` with OUT's bytes at `offset` (nothing is written). Never throws: a
    /// difference or a read failure is recorded for `comparison`.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        guard !bytes.isEmpty else { return }
        let skip = state.withLock { state -> Bool in
            state.length = max(state.length, offset + bytes.count)
            if let first = state.firstDifference, first <= offset { return true }
            return state.readFailure != nil
        }
        guard let existing, !skip else { return }
        let buffer = takeBuffer()
        defer { giveBack(buffer) }
        var done = 0
        while done < bytes.count {
            let count = min(buffer.count, bytes.count - done)
            let got: Int
            do {
                got = try existing.pread(
                    into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), at: offset + done)
            } catch {
                state.withLock { if $0.readFailure == nil { $0.readFailure = "\(error)" } }
                return
            }
            let mine = UnsafeRawBufferPointer(rebasing: bytes[done..<(done + count)])
            let theirs = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
            if let at = ComparingOutputSink.firstDifference(mine, theirs) {
                record(offset + done + at)
                return
            }
            done += count
        }
    }

    /// Records `length` as the output's length (nothing is truncated).
    public func setLength(_ length: Int) throws {
        state.withLock { $0.length = length }
    }

    /// Never a file: copies pass their bytes through `write` to be compared.
    public var descriptorForKernelCopy: FileDescriptor? { nil }

    /// Records the outcome of comparing an `.npz` by content, which then replaces the byte
    /// comparison.
    public func recordContentComparison(difference: String?) {
        state.withLock { $0.content = .some(difference) }
    }

    /// The verdict once the job is done.
    public var comparison: Comparison {
        if let openFailure { return .unreadable(openFailure) }
        guard existing != nil else { return .missing }
        return state.withLock { state in
            if let content = state.content { return .content(difference: content) }
            if let failure = state.readFailure { return .unreadable(failure) }
            if state.length != existingSize {
                return .sizeDiffers(expected: Int64(state.length), found: Int64(existingSize))
            }
            if let first = state.firstDifference { return .differsAt(offset: Int64(first)) }
            return .identical
        }
    }

    private func record(_ offset: Int) {
        state.withLock { state in
            if state.firstDifference.map({ offset < $0 }) ?? true { state.firstDifference = offset }
        }
    }

    private func takeBuffer() -> UnsafeMutableRawBufferPointer {
        if let buffer = state.withLock({ $0.freeBuffers.popLast() }) { return buffer }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferBytes, alignment: 64)
        state.withLock { $0.allBuffers.append(buffer) }
        return buffer
    }

    private func giveBack(_ buffer: UnsafeMutableRawBufferPointer) {
        state.withLock { $0.freeBuffers.append(buffer) }
    }

    /// The index of the first byte where `a` and `b` differ (a shorter `b` differs at its end),
    /// nil when equal: `memcmp`, then a scan of the first differing 64-byte block only.
    static func firstDifference(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int? {
        let common = min(a.count, b.count)
        if common > 0, memcmp(a.baseAddress!, b.baseAddress!, common) != 0 {
            var start = 0
            let block = 64
            while start < common {
                let n = min(block, common - start)
                if memcmp(a.baseAddress! + start, b.baseAddress! + start, n) != 0 {
                    for i in start..<(start + n) where a[i] != b[i] { return i }
                }
                start += n
            }
        }
        return a.count == b.count ? nil : common
    }
}
