import NPDropPlatform
import NPYFormat

/// An open file descriptor that closes itself when released (unless it is borrowed, like stdin).
///
/// All calls retry `EINTR` and loop over short transfers (in `IOLoop`); failures throw a
/// `FileError` naming `path` around an `NPYStreamError.system`.
/// Sendable so workers can share one descriptor for `pread`/`pwriteAll` on disjoint ranges;
/// `close()` must not race with other calls.
public final class FileDescriptor: @unchecked Sendable {
    /// The raw descriptor; valid until `close()` or deinit.
    public let rawValue: Int32
    /// The name used in error messages.
    public let path: String
    /// Where the bytes this descriptor reads with `pread` are checksummed as they pass (an
    /// input's CRC-32C), or nil. `read` is not recorded; writes are checksummed on the write
    /// side of the output seam (`FileOutputSink`).
    public let digest: ByteRangeDigest?
    private let ownsDescriptor: Bool
    private var isClosed = false

    /// Wraps `rawValue`; closes it on deinit when `owning` is true; records reads into `digest`.
    public init(rawValue: Int32, path: String, owning: Bool, digest: ByteRangeDigest? = nil) {
        self.rawValue = rawValue
        self.path = path
        self.ownsDescriptor = owning
        self.digest = digest
    }

    deinit {
        if ownsDescriptor && !isClosed { _ = systemClose(rawValue) }
    }

    /// Opens `path` read-only, recording what is read into `digest`. Throws a `FileError` if it
    /// cannot be opened.
    public static func openForReading(_ path: String, digest: ByteRangeDigest? = nil) throws -> FileDescriptor {
        let fd = try FileError.wrapping(path: path) {
            try IOLoop.retryingInterrupts("open for reading") { Int(open(path, O_RDONLY | O_CLOEXEC)) }
        }
        return FileDescriptor(rawValue: Int32(fd), path: path, owning: true, digest: digest)
    }

    /// Creates `path` for writing (and reading too with `readable`: a digest of what is
    /// written then reads back only what it could not see); fails if it exists (`O_EXCL`).
    /// Permissions are `mode` less the umask.
    public static func createExclusive(
        _ path: String, mode: mode_t = 0o666, readable: Bool = false
    ) throws -> FileDescriptor {
        let access = readable ? O_RDWR : O_WRONLY
        let fd = try FileError.wrapping(path: path) {
            try IOLoop.retryingInterrupts("create") {
                Int(open(path, access | O_CREAT | O_EXCL | O_CLOEXEC, mode))
            }
        }
        return FileDescriptor(rawValue: Int32(fd), path: path, owning: true)
    }

    /// Standard input, borrowed (never closed by this object), named `<stdin>` in messages.
    public static func standardInput() -> FileDescriptor {
        FileDescriptor(rawValue: STDIN_FILENO, path: "<stdin>", owning: false)
    }

    /// Standard output, borrowed (never closed by this object), named `<stdout>` in messages.
    public static func standardOutput() -> FileDescriptor {
        FileDescriptor(rawValue: STDOUT_FILENO, path: "<stdout>", owning: false)
    }

    /// Reads at most `buffer.count` bytes at the current position (one successful `read`);
    /// returns 0 only at end of file. Works on pipes and terminals.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        return try FileError.wrapping(path: path) {
            try IOLoop.retryingInterrupts("read") { systemRead(rawValue, buffer.baseAddress, buffer.count) }
        }
    }

    /// Reads `buffer.count` bytes starting at file offset `offset`, without moving the file
    /// position; returns fewer only if the file ends first. Safe to call from several threads.
    public func pread(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        let count = try preadUnrecorded(into: buffer, at: offset)
        digest?.recordRead(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), at: offset)
        return count
    }

    /// `pread` without recording into `digest` (how the digest itself reads the file back).
    public func preadUnrecorded(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        try FileError.wrapping(path: path) {
            try IOLoop.fill("pread", count: buffer.count) { done in
                systemPread(rawValue, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            }
        }
    }

    /// Writes all of `bytes` at the current position.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        try FileError.wrapping(path: path) {
            try IOLoop.drain("write", count: bytes.count) { done in
                systemWrite(rawValue, bytes.baseAddress! + done, bytes.count - done)
            }
        }
    }

    /// Writes all of `bytes` at file offset `offset`, without moving the file position.
    /// Safe to call from several threads on disjoint ranges.
    public func pwriteAll(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        try FileError.wrapping(path: path) {
            try IOLoop.drain("pwrite", count: bytes.count) { done in
                systemPwrite(rawValue, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            }
        }
    }

    /// Writes all of `first` at `offset` and all of `second` right after it, in one `pwritev`
    /// when the system takes it whole (short writes finish with `pwrite`s). Safe to call from
    /// several threads on disjoint ranges.
    public func pwriteAll(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, at offset: Int) throws {
        guard let firstBase = first.baseAddress, let secondBase = second.baseAddress else {
            try pwriteAll(first, at: offset)
            return try pwriteAll(second, at: offset + first.count)
        }
        let total = first.count + second.count
        let written = try FileError.wrapping(path: path) {
            try IOLoop.retryingInterrupts("pwritev") {
                var pieces = [
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: firstBase), iov_len: first.count),
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: secondBase), iov_len: second.count),
                ]
                return pieces.withUnsafeMutableBufferPointer {
                    systemPwritev(rawValue, $0.baseAddress, 2, off_t(offset))
                }
            }
        }
        guard written < total else { return }
        if written < first.count {
            try pwriteAll(UnsafeRawBufferPointer(rebasing: first[written...]), at: offset + written)
            try pwriteAll(second, at: offset + first.count)
        } else {
            let done = written - first.count
            try pwriteAll(UnsafeRawBufferPointer(rebasing: second[done...]), at: offset + written)
        }
    }

    /// Sets the file's length to `length` bytes (extending with zeros or cutting).
    public func truncate(to length: Int) throws {
        _ = try FileError.wrapping(path: path) {
            try IOLoop.retryingInterrupts("ftruncate") { Int(ftruncate(rawValue, off_t(length))) }
        }
    }

    /// Flushes the file's data and metadata to the storage device (`fsync`).
    public func sync() throws {
        _ = try FileError.wrapping(path: path) {
            try IOLoop.retryingInterrupts("fsync") { Int(fsync(rawValue)) }
        }
    }

    /// Size and identity of the open file (`fstat`).
    public func status() throws -> FileStatus {
        var info = stat()
        _ = try FileError.wrapping(path: path) {
            try IOLoop.retryingInterrupts("fstat") { Int(fstat(rawValue, &info)) }
        }
        return FileStatus(info)
    }

    /// Closes the descriptor now and reports a failure (which can reveal a lost write).
    /// Does nothing for a borrowed descriptor or a second call.
    public func close() throws {
        guard ownsDescriptor && !isClosed else { return }
        isClosed = true
        // Not retried on EINTR: on Linux the descriptor is released even then.
        if systemClose(rawValue) != 0 {
            let code = errno
            if code != EINTR {
                throw FileError(path: path, underlying: NPYStreamError.system(operation: "close", code: code))
            }
        }
    }
}

/// What `fstat`/`stat` say about a file: enough to size it and to tell two paths apart.
public struct FileStatus: Hashable, Sendable {
    /// Size in bytes (meaningful for regular files).
    public var size: Int
    /// True for a regular file (not a pipe, terminal, directory, ...).
    public var isRegularFile: Bool
    /// Device holding the file (with `inode`, identifies it).
    public var device: UInt64
    /// Inode number on `device`.
    public var inode: UInt64

    init(_ info: stat) {
        size = Int(info.st_size)
        isRegularFile = (info.st_mode & S_IFMT) == S_IFREG
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// The status of the file at `path` (following symlinks), or nil if it does not exist.
    /// Throws a `FileError` for other failures.
    public static func of(path: String) throws -> FileStatus? {
        var info = stat()
        if stat(path, &info) == 0 { return FileStatus(info) }
        let code = errno
        if code == ENOENT || code == ENOTDIR { return nil }
        throw FileError(path: path, underlying: NPYStreamError.system(operation: "stat", code: code))
    }
}

// The methods above shadow these C functions; these names reach them from inside the class.
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
private func systemPread(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int, _ offset: off_t) -> Int {
    pread(fd, buffer, count, offset)
}
private func systemPwrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int, _ offset: off_t) -> Int {
    pwrite(fd, buffer, count, offset)
}
private func systemPwritev(_ fd: Int32, _ pieces: UnsafePointer<iovec>?, _ count: Int32, _ offset: off_t) -> Int {
    pwritev(fd, pieces, count, offset)
}
