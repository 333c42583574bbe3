import NPDropPlatform

/// The zip layer's only file I/O: positioned reads and writes on one descriptor, with EINTR
/// retried and short transfers continued. (To be replaced by NPYStream's shared descriptor type.)
final class ZipFileDescriptor: @unchecked Sendable {
    /// Name used in error messages.
    let path: String
    private let fd: Int32
    private let ownsDescriptor: Bool

    /// Opens `path` read-only.
    static func openForReading(_ path: String) throws(ZipError) -> ZipFileDescriptor {
        try ZipFileDescriptor(path: path, flags: O_RDONLY | O_CLOEXEC, mode: 0)
    }

    /// Creates or truncates `path` for writing (mode 0666 before umask, as Python's `open(..., "wb")`).
    static func createForWriting(_ path: String) throws(ZipError) -> ZipFileDescriptor {
        try ZipFileDescriptor(path: path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o666)
    }

    private init(path: String, flags: Int32, mode: mode_t) throws(ZipError) {
        var result: Int32
        repeat { result = open(path, flags, mode) } while result < 0 && errno == EINTR
        guard result >= 0 else { throw ZipError.io(archive: path, operation: "open", errno: errno) }
        self.path = path
        self.fd = result
        self.ownsDescriptor = true
    }

    /// Wraps a descriptor the caller keeps owning (it is not closed here).
    init(borrowing descriptor: Int32, path: String) {
        self.path = path
        self.fd = descriptor
        self.ownsDescriptor = false
    }

    deinit {
        if ownsDescriptor { _ = close(fd) }
    }

    /// The current size of the file.
    func size() throws(ZipError) -> UInt64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ZipError.io(archive: path, operation: "fstat", errno: errno) }
        return UInt64(max(0, info.st_size))
    }

    /// Reads into `buffer` from `offset` until it is full or the file ends; returns the count read.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(ZipError) -> Int {
        var done = 0
        while done < buffer.count {
            guard let position = off_t(exactly: offset + UInt64(done)) else { break }
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, position)
            if n < 0 {
                if errno == EINTR { continue }
                throw ZipError.io(archive: path, operation: "pread", errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(ZipError) {
        var done = 0
        while done < bytes.count {
            guard let position = off_t(exactly: offset + UInt64(done)) else {
                throw ZipError.io(archive: path, operation: "pwrite", errno: EFBIG)
            }
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, position)
            if n < 0 {
                if errno == EINTR { continue }
                throw ZipError.io(archive: path, operation: "pwrite", errno: errno)
            }
            done += n
        }
    }

    /// Cuts or extends the file to `length` bytes.
    func truncate(to length: UInt64) throws(ZipError) {
        guard let size = off_t(exactly: length) else {
            throw ZipError.io(archive: path, operation: "ftruncate", errno: EFBIG)
        }
        var result: Int32
        repeat { result = ftruncate(fd, size) } while result < 0 && errno == EINTR
        guard result == 0 else { throw ZipError.io(archive: path, operation: "ftruncate", errno: errno) }
    }

    /// The C library's text for an errno value.
    static func describe(errno code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
