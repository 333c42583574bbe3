// All of the runner's own file I/O lives in this file (the lead will later point it at the
// shared NPYStream atomic-file type). Everything else in BatchRunner calls these helpers.
import NPYStream

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// File-scope names for the C calls whose names the types below reuse.
private func systemRename(_ source: String, _ destination: String) -> Int32 { rename(source, destination) }
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

/// What `lstat`/`stat` found at a path.
enum FileEntryKind: Equatable, Sendable {
    case regular(byteCount: Int64)
    case directory
    case symlink
    case other
    case missing
}

/// Result of comparing two files byte by byte.
enum FileComparison: Equatable, Sendable {
    case identical
    case sizeDiffers(expected: Int64, found: Int64)
    case differsAt(offset: Int64)
    case missing
}

/// Thin wrappers over the system calls the runner needs; every failure throws `RunnerError.io`.
enum RunnerFS {
    /// Text of an `errno` value.
    static func errnoDescription(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    private static func kind(of info: stat) -> FileEntryKind {
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular(byteCount: Int64(info.st_size))
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// The kind of the entry at `path`; `.missing` when nothing is there. Follows a final
    /// symlink only when `followLinks` is true.
    static func entryKind(_ path: String, followLinks: Bool) throws -> FileEntryKind {
        var info = stat()
        let status = followLinks ? stat(path, &info) : lstat(path, &info)
        if status != 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .missing }
            throw RunnerError.io(path: path, operation: "stat", errno: code)
        }
        return kind(of: info)
    }

    /// The entries of directory `path` (without `.` and `..`) as raw name bytes with their
    /// kinds (symlinks are not followed), in the order the system gives them.
    static func listDirectory(_ path: String) throws -> [(name: [UInt8], kind: FileEntryKind)] {
        guard let dir = opendir(path) else {
            throw RunnerError.io(path: path, operation: "open directory", errno: errno)
        }
        defer { closedir(dir) }
        let fd = dirfd(dir)
        var entries: [(name: [UInt8], kind: FileEntryKind)] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw RunnerError.io(path: path, operation: "read directory", errno: errno) }
                break
            }
            let name: [UInt8] = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                let length = bytes.firstIndex(of: 0) ?? bytes.count
                return Array(bytes[0..<length])
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            var info = stat()
            let status = (name + [0]).withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { fstatat(fd, $0.baseAddress!, &info, AT_SYMLINK_NOFOLLOW) }
            }
            if status != 0 {
                if errno == ENOENT { continue }  // removed while we were listing
                throw RunnerError.io(path: path, operation: "stat an entry of", errno: errno)
            }
            entries.append((name: name, kind: kind(of: info)))
        }
        return entries
    }

    /// The canonical absolute path of an existing entry (symlinks and `..` resolved).
    static func realPath(_ path: String) throws -> String {
        guard let resolved = realpath(path, nil) else {
            throw RunnerError.io(path: path, operation: "resolve", errno: errno)
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The current working directory.
    static func currentDirectory() throws -> String {
        guard let cwd = getcwd(nil, 0) else {
            throw RunnerError.io(path: ".", operation: "get the current directory", errno: errno)
        }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    /// Creates `path` and any missing parents (like `mkdir -p`); throws when a component exists
    /// and is not a directory. A symlink is not followed, even to a directory: callers pass
    /// canonical paths, so a symlink here was planted below OUT and would carry outputs outside it.
    static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, 0o777) == 0 { continue }
            let code = errno
            if code == EEXIST {
                switch try entryKind(prefix, followLinks: false) {
                case .directory:
                    continue
                case .symlink:
                    throw RunnerError.malformed(path: prefix, detail: "is a symlink; outputs are never written through symlinks")
                default:
                    break
                }
            }
            throw RunnerError.io(path: prefix, operation: "create directory", errno: code)
        }
    }

    /// Removes the file at `path`; a missing file is not an error.
    static func removeFile(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT {
            throw RunnerError.io(path: path, operation: "remove", errno: errno)
        }
    }

    /// Removes `path` and everything below it without following symlinks.
    static func removeTree(_ path: String) throws {
        switch try entryKind(path, followLinks: false) {
        case .missing:
            return
        case .directory:
            for entry in try listDirectory(path) {
                guard let name = String(validating: entry.name, as: UTF8.self) else {
                    throw RunnerError.io(path: path, operation: "remove a non-UTF-8 entry of", errno: EINVAL)
                }
                try removeTree(path + "/" + name)
            }
            if rmdir(path) != 0 { throw RunnerError.io(path: path, operation: "remove directory", errno: errno) }
        default:
            try removeFile(path)
        }
    }

    /// Renames `source` to `destination` atomically (same file system), replacing it.
    static func rename(_ source: String, _ destination: String) throws {
        if systemRename(source, destination) != 0 {
            throw RunnerError.io(path: destination, operation: "rename '\(source)' to", errno: errno)
        }
    }

    /// Creates a fresh private directory under `$TMPDIR` (or `/tmp`) and returns its path.
    static func makeTemporaryDirectory(prefix: String) throws -> String {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/" + prefix + "XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
        }
        guard let made else { throw RunnerError.io(path: base, operation: "create a temporary directory in", errno: errno) }
        return made
    }

    static func openDescriptor(_ path: String, flags: Int32, mode: mode_t = 0o644, operation: String) throws -> Int32 {
        while true {
            let fd = open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno == EINTR { continue }
            throw RunnerError.io(path: path, operation: operation, errno: errno)
        }
    }

    /// Writes all of `bytes` at `offset` (or at the current position when `offset` is nil),
    /// retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64?, path: String) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var done = 0
        while done < bytes.count {
            let n: Int
            if let offset {
                n = pwrite(fd, base + done, bytes.count - done, off_t(offset) + off_t(done))
            } else {
                n = systemWrite(fd, base + done, bytes.count - done)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw RunnerError.io(path: path, operation: "write", errno: errno)
            }
            if n == 0 { throw RunnerError.io(path: path, operation: "write", errno: EIO) }
            done += n
        }
    }

    /// Reads up to `buffer.count` bytes at `offset`; returns the count (0 at end of file).
    static func readSome(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = pread(fd, base, buffer.count, off_t(offset))
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw RunnerError.io(path: path, operation: "read", errno: errno)
        }
    }

    /// Reads the whole file at `path`; throws `.malformed` when it is larger than `limit` bytes.
    static func readFile(_ path: String, limit: Int) throws -> [UInt8] {
        let fd = try openDescriptor(path, flags: O_RDONLY, operation: "open")
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try readSome(fd, into: $0, at: Int64(result.count), path: path) }
            if n == 0 { return result }
            if result.count + n > limit {
                throw RunnerError.malformed(path: path, detail: "expected at most \(limit) bytes, found more")
            }
            result.append(contentsOf: chunk[0..<n])
        }
    }

    /// Calls `body` with each line of the file (without its newline) and whether it ended with
    /// a newline. Lines longer than `maxLineBytes` are skipped and counted in the result.
    /// Returns nil when the file does not exist.
    static func forEachLine(
        in path: String, maxLineBytes: Int, _ body: (ArraySlice<UInt8>, _ terminated: Bool) throws -> Void
    ) throws -> Int? {
        let fd: Int32
        do {
            fd = try openDescriptor(path, flags: O_RDONLY, operation: "open")
        } catch RunnerError.io(_, _, let code) where code == ENOENT {
            return nil
        }
        defer { close(fd) }
        var overlong = 0
        var pending: [UInt8] = []
        var skipping = false
        var offset: Int64 = 0
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try readSome(fd, into: $0, at: offset, path: path) }
            if n == 0 { break }
            offset += Int64(n)
            var start = 0
            while start < n {
                if let newline = chunk[start..<n].firstIndex(of: 0x0A) {
                    if !skipping {
                        pending.append(contentsOf: chunk[start..<newline])
                        if pending.count > maxLineBytes { overlong += 1 } else { try body(pending[...], true) }
                    }
                    pending.removeAll(keepingCapacity: true)
                    skipping = false
                    start = newline + 1
                } else {
                    if !skipping {
                        pending.append(contentsOf: chunk[start..<n])
                        if pending.count > maxLineBytes {
                            overlong += 1
                            skipping = true
                            pending.removeAll(keepingCapacity: true)
                        }
                    }
                    start = n
                }
            }
        }
        if !skipping && !pending.isEmpty { try body(pending[...], false) }
        return overlong
    }

    /// Writes `bytes` to `path` through a temporary file in the same directory, then renames
    /// it over `path`: readers see the old content or the new one, never a mix.
    static func writeFileAtomically(_ path: String, bytes: [UInt8], tempTag: String) throws {
        let file = try OutputFile.create(finalPath: path, relativePath: path, tempTag: tempTag)
        do {
            try bytes.withUnsafeBytes { try file.write($0, at: 0) }
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
    }

    /// Compares two files byte by byte, streaming in 1 MiB chunks; `.missing` when `found`
    /// does not exist.
    static func compareFiles(expected: String, found: String) throws -> FileComparison {
        guard case .regular(let foundSize) = try entryKind(found, followLinks: false) else { return .missing }
        guard case .regular(let expectedSize) = try entryKind(expected, followLinks: false) else {
            throw RunnerError.io(path: expected, operation: "open", errno: ENOENT)
        }
        if expectedSize != foundSize { return .sizeDiffers(expected: expectedSize, found: foundSize) }
        let a = try openDescriptor(expected, flags: O_RDONLY, operation: "open")
        defer { close(a) }
        let b = try openDescriptor(found, flags: O_RDONLY, operation: "open")
        defer { close(b) }
        let chunk = 1 << 20
        var left = [UInt8](repeating: 0, count: chunk)
        var right = [UInt8](repeating: 0, count: chunk)
        var offset: Int64 = 0
        while offset < expectedSize {
            let want = Int(min(Int64(chunk), expectedSize - offset))
            let n = try left.withUnsafeMutableBytes {
                try fill(a, UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]), at: offset, path: expected)
            }
            let m = try right.withUnsafeMutableBytes {
                try fill(b, UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]), at: offset, path: found)
            }
            let same = min(n, m)
            for i in 0..<same where left[i] != right[i] { return .differsAt(offset: offset + Int64(i)) }
            if n != m || n < want { return .differsAt(offset: offset + Int64(same)) }  // changed while reading
            offset += Int64(n)
        }
        return .identical
    }

    private static func fill(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = try readSome(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]),
                                 at: offset + Int64(filled), path: path)
            if n == 0 { break }
            filled += n
        }
        return filled
    }

    /// True when file descriptor `fd` is a terminal.
    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Writes `text` to file descriptor `fd` (1 or 2), ignoring failures (a closed pipe must
    /// not stop a run).
    static func writeText(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { raw in
            _ = try? writeAll(fd, UnsafeRawBufferPointer(raw), at: nil, path: "fd \(fd)")
        }
    }

    /// This process's id.
    static var processID: Int32 { getpid() }
}

private let temporaryNameCounter = Locked<UInt64>(0)

/// An output being written under a temporary name in its final directory; `commit()` renames
/// it to the final name, `discard()` removes it. Writes at explicit offsets (`pwrite`) are safe
/// from several threads at once, so segments of one file may be written by different workers.
public final class OutputFile: Sendable {
    /// Path of the final file relative to the run's output root (e.g. `data/a/x.npy`).
    public let relativePath: String
    /// Absolute path the file gets when committed.
    public let finalPath: String
    /// Absolute path of the temporary file being written.
    public let temporaryPath: String
    private let descriptor: Int32
    private let closed = Locked(false)

    private init(relativePath: String, finalPath: String, temporaryPath: String, descriptor: Int32) {
        self.relativePath = relativePath
        self.finalPath = finalPath
        self.temporaryPath = temporaryPath
        self.descriptor = descriptor
    }

    /// Creates an empty temporary file named `TempNames.name(...)` next to `finalPath`
    /// (`O_EXCL`, retried with the next number when the name is taken).
    static func create(finalPath: String, relativePath: String, tempTag: String) throws -> OutputFile {
        let slash = finalPath.lastIndex(of: "/")
        let directory = slash.map { String(finalPath[..<$0]) } ?? "."
        let base = slash.map { String(finalPath[finalPath.index(after: $0)...]) } ?? finalPath
        for _ in 0..<1000 {
            let sequence = temporaryNameCounter.withLock { value -> UInt64 in
                value += 1
                return value
            }
            let name = TempNames.name(tag: tempTag, processID: RunnerFS.processID, sequence: sequence, base: base)
            let path = directory + "/" + name
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                return OutputFile(relativePath: relativePath, finalPath: finalPath, temporaryPath: path, descriptor: fd)
            }
            if errno == EEXIST || errno == EINTR { continue }
            throw RunnerError.io(path: path, operation: "create", errno: errno)
        }
        throw RunnerError.io(path: directory, operation: "find a free temporary name in", errno: EEXIST)
    }

    private func checkOpen() throws {
        if closed.withLock({ $0 }) {
            throw RunnerError.io(path: temporaryPath, operation: "write (already committed or discarded)", errno: EBADF)
        }
    }

    /// Writes all of `bytes` at byte `offset` of the temporary file (short writes retried).
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        try checkOpen()
        try RunnerFS.writeAll(descriptor, bytes, at: offset, path: temporaryPath)
    }

    /// Sets the temporary file's length to `byteCount` (zero-filled), e.g. before segments
    /// are written out of order.
    public func setLength(_ byteCount: Int64) throws {
        try checkOpen()
        while ftruncate(descriptor, off_t(byteCount)) != 0 {
            if errno == EINTR { continue }
            throw RunnerError.io(path: temporaryPath, operation: "resize", errno: errno)
        }
    }

    /// A sequential `ByteSink` that writes at `offset`, `offset + n`, ... of this file.
    public func makeSink(startingAt offset: Int64 = 0) -> OutputFileSink {
        OutputFileSink(file: self, offset: offset)
    }

    private func closeOnce() -> Bool {
        let wasOpen = closed.withLock { value -> Bool in
            defer { value = true }
            return !value
        }
        if wasOpen { close(descriptor) }
        return wasOpen
    }

    /// Closes the file and renames it to its final name, replacing any file there.
    func commit() throws {
        guard closeOnce() else {
            throw RunnerError.io(path: temporaryPath, operation: "commit (already closed)", errno: EBADF)
        }
        do {
            try RunnerFS.rename(temporaryPath, finalPath)
        } catch {
            try? RunnerFS.removeFile(temporaryPath)
            throw error
        }
    }

    /// Closes the file (if open) and removes the temporary file; never throws.
    func discard() {
        _ = closeOnce()
        try? RunnerFS.removeFile(temporaryPath)
    }

    deinit {
        if !closed.withLock({ $0 }) {
            close(descriptor)
            try? RunnerFS.removeFile(temporaryPath)
        }
    }
}

/// A sequential writer over an `OutputFile`: each `write` lands right after the previous one.
public final class OutputFileSink: ByteSink {
    /// The file written to.
    public let file: OutputFile
    /// Offset of the next byte written.
    public private(set) var offset: Int64

    init(file: OutputFile, offset: Int64) {
        self.file = file
        self.offset = offset
    }

    /// Writes all of `bytes` at `offset` and advances `offset` by `bytes.count`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try file.write(bytes, at: offset)
        offset += Int64(bytes.count)
    }
}

/// A file opened for appending whole records with one `write(2)` each (`O_APPEND`), so a killed
/// process leaves every completed append in place.
final class AppendOnlyFile: Sendable {
    let path: String
    private let descriptor: Locked<Int32>

    /// Opens (creating) `path` for appending; empties it first when `truncate` is true.
    init(path: String, truncate: Bool) throws {
        self.path = path
        let flags = O_WRONLY | O_CREAT | O_APPEND | (truncate ? O_TRUNC : 0)
        descriptor = Locked(try RunnerFS.openDescriptor(path, flags: flags, operation: "open for appending"))
    }

    /// Appends `bytes` (one `write(2)` unless the kernel writes short, then the rest).
    func append(_ bytes: [UInt8]) throws {
        try descriptor.withLock { fd in
            guard fd >= 0 else { throw RunnerError.io(path: path, operation: "append to closed", errno: EBADF) }
            try bytes.withUnsafeBytes { try RunnerFS.writeAll(fd, $0, at: nil, path: path) }
        }
    }

    /// Closes the file; later appends throw.
    func close() {
        descriptor.withLock { fd in
            if fd >= 0 { _ = systemClose(fd) }
            fd = -1
        }
    }

    deinit { close() }
}
