import NPDropPlatform
import NPYStream

/// The zip layer's only file I/O: positioned reads and writes on one descriptor, with EINTR
/// retried and short transfers continued by NPYStream's `IOLoop` (the one syscall seam); its
/// failures become `ZipError.io` (the entry points attach the archive).
final class ZipFileDescriptor: @unchecked Sendable {
    /// Name used in error messages.
    let path: String
    private let fd: Int32
    private let ownsDescriptor: Bool
    /// Where the bytes read are checksummed as they pass (see `ByteRangeDigest`); writes are
    /// checksummed on the output side of the seam (`FileOutputSink`).
    private let digest: ByteRangeDigest?

    /// Opens `path` read-only; what is read is recorded into `digest`.
    static func openForReading(_ path: String, digest: ByteRangeDigest? = nil) throws(ZipError) -> ZipFileDescriptor {
        try ZipFileDescriptor(path: path, flags: O_RDONLY | O_CLOEXEC, mode: 0, digest: digest)
    }

    /// Creates or truncates `path` for writing (mode 0666 before umask, as Python's `open(..., "wb")`).
    static func createForWriting(_ path: String) throws(ZipError) -> ZipFileDescriptor {
        try ZipFileDescriptor(path: path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o666)
    }

    private init(path: String, flags: Int32, mode: mode_t, digest: ByteRangeDigest? = nil) throws(ZipError) {
        let result = try Self.zipErrors { try IOLoop.retryingInterrupts("open") { Int(open(path, flags, mode)) } }
        self.path = path
        self.fd = Int32(result)
        self.ownsDescriptor = true
        self.digest = digest
    }

    /// Wraps a descriptor the caller keeps owning (it is not closed here).
    init(borrowing descriptor: Int32, path: String, digest: ByteRangeDigest? = nil) {
        self.path = path
        self.fd = descriptor
        self.ownsDescriptor = false
        self.digest = digest
    }

    deinit {
        if ownsDescriptor { _ = close(fd) }
    }

    /// The current size of the file.
    func size() throws(ZipError) -> UInt64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ZipError.io(operation: "fstat", errno: errno) }
        return UInt64(max(0, info.st_size))
    }

    /// Reads into `buffer` from `offset` until it is full or the file ends; returns the count read.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(ZipError) -> Int {
        let count = try readUnrecorded(into: buffer, at: offset)
        digest?.recordRead(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), at: Int(offset))
        return count
    }

    private func readUnrecorded(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(ZipError) -> Int {
        guard let start = off_t(exactly: offset), buffer.count > 0 else { return 0 }
        let count = off_t.max - start < off_t(buffer.count) ? Int(off_t.max - start) : buffer.count
        return try Self.zipErrors {
            try IOLoop.fill("pread", count: count) { done in
                pread(fd, buffer.baseAddress! + done, count - done, start + off_t(done))
            }
        }
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(ZipError) {
        guard bytes.count > 0 else { return }
        guard let start = off_t(exactly: offset), off_t.max - start >= off_t(bytes.count) else {
            throw ZipError.io(operation: "pwrite", errno: EFBIG)
        }
        try Self.zipErrors {
            try IOLoop.drain("pwrite", count: bytes.count) { done in
                pwrite(fd, bytes.baseAddress! + done, bytes.count - done, start + off_t(done))
            }
        }
    }

    /// Cuts or extends the file to `length` bytes.
    func truncate(to length: UInt64) throws(ZipError) {
        guard let size = off_t(exactly: length) else {
            throw ZipError.io(operation: "ftruncate", errno: EFBIG)
        }
        _ = try Self.zipErrors { try IOLoop.retryingInterrupts("ftruncate") { Int(ftruncate(fd, size)) } }
    }

    /// Runs `body` (calls through `IOLoop`), turning its `NPYStreamError` into `ZipError.io`.
    private static func zipErrors<T>(_ body: () throws -> T) throws(ZipError) -> T {
        do {
            return try body()
        } catch NPYStreamError.system(let operation, let code) {
            throw ZipError.io(operation: operation, errno: code)
        } catch NPYStreamError.noProgress(let operation) {
            throw ZipError.io(operation: operation, errno: EIO)
        } catch let error as ZipError {
            throw error
        } catch {
            throw ZipError.io(operation: "I/O", errno: EIO)
        }
    }

    /// The C library's text for an errno value.
    static func describe(errno code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
