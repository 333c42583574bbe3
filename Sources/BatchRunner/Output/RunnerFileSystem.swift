// The runner's system calls on paths (stat, directories, rename, whole-file reads and compares).
// Reads and writes on open files go through NPYStream's `FileDescriptor`, the one place that
// retries EINTR and short transfers; `OutputFile` and `AppendOnlyFile` build on it.
import NPDropPlatform
import NPYFormat
import NPYStream

// File-scope names for the C calls whose names the types below reuse.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func systemRename(_ source: String, _ destination: String) -> Int32 { rename(source, destination) }

/// What `lstat`/`stat` found at a path.
enum FileEntryKind: Equatable, Sendable {
    case regular(byteCount: Int64)
    case directory
    case symlink
    case other
    case missing
}

/// One entry of a directory listing: its name's bytes, its kind and its modification time
/// (nanoseconds since the epoch; 0 when not looked up).
typealias DirectoryEntry = (name: [UInt8], kind: FileEntryKind, modifiedNs: Int64)

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
    /// kinds (symlinks are not followed) and modification times (ns since the epoch), in the
    /// order the system gives them. With `sizes: false`, kinds come from the directory entry
    /// itself (`d_type`, no `stat` per entry) where the file system records them, and a regular
    /// file's `byteCount` and every `modifiedNs` are 0.
    static func listDirectory(_ path: String, sizes: Bool = true) throws -> [DirectoryEntry] {
        guard let dir = opendir(path) else {
            throw RunnerError.io(path: path, operation: "open directory", errno: errno)
        }
        defer { closedir(dir) }
        let fd = dirfd(dir)
        var entries: [DirectoryEntry] = []
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
            if !sizes {
                switch Int32(entry.pointee.d_type) {
                case Int32(DT_DIR): entries.append((name: name, kind: .directory, modifiedNs: 0)); continue
                case Int32(DT_REG): entries.append((name: name, kind: .regular(byteCount: 0), modifiedNs: 0)); continue
                case Int32(DT_LNK): entries.append((name: name, kind: .symlink, modifiedNs: 0)); continue
                case Int32(DT_UNKNOWN): break
                default: entries.append((name: name, kind: .other, modifiedNs: 0)); continue
                }
            }
            var info = stat()
            let status = (name + [0]).withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { fstatat(fd, $0.baseAddress!, &info, AT_SYMLINK_NOFOLLOW) }
            }
            if status != 0 {
                if errno == ENOENT { continue }  // removed while we were listing
                throw RunnerError.io(path: path, operation: "stat an entry of", errno: errno)
            }
            entries.append((name: name, kind: kind(of: info), modifiedNs: InputState.nanoseconds(info)))
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
                    throw RunnerError.malformed(
                        path: prefix, detail: "is a symlink; outputs are never written through symlinks")
                default:
                    throw RunnerError.malformed(path: prefix, detail: "exists and is not a directory")
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
                guard let name = UTF8Text.string(validating: entry.name) else {
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

    /// Opens `path` with `flags` (plus `O_CLOEXEC`), retrying EINTR; the descriptor is closed
    /// when released, and its later errors name `name` (default: `path`). Throws
    /// `RunnerError.io` naming `operation`.
    static func open(
        _ path: String, flags: Int32, mode: mode_t = 0o644, operation: String,
        name: String? = nil, digest: ByteRangeDigest? = nil
    ) throws -> FileDescriptor {
        do {
            let fd = try IOLoop.retryingInterrupts(operation) { Int(systemOpen(path, flags | O_CLOEXEC, mode)) }
            return FileDescriptor(rawValue: Int32(fd), path: name ?? path, owning: true, digest: digest)
        } catch NPYStreamError.system(_, let code) {
            throw RunnerError.io(path: path, operation: operation, errno: code)
        }
    }

    /// Runs `body`, turning a system-call failure reported by NPYStream (`FileError` around
    /// `NPYStreamError.system`) into `RunnerError.io`; other errors pass through.
    static func mappingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as FileError {
            switch error.underlying as? NPYStreamError {
            case .system(let operation, let code)?:
                throw RunnerError.io(path: error.path, operation: operation, errno: code)
            case .noProgress(let operation)?:
                throw RunnerError.io(path: error.path, operation: operation, errno: EIO)
            default:
                throw error
            }
        }
    }

    /// Reads the whole file at `path`; throws `.malformed` when it is larger than `limit` bytes.
    static func readFile(_ path: String, limit: Int) throws -> [UInt8] {
        let file = try open(path, flags: O_RDONLY, operation: "open")
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try mappingErrors {
                try chunk.withUnsafeMutableBytes { try file.pread(into: $0, at: result.count) }
            }
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
        let file: FileDescriptor
        do {
            file = try open(path, flags: O_RDONLY, operation: "open")
        } catch RunnerError.io(_, _, let code) where code == ENOENT {
            return nil
        }
        var overlong = 0
        var pending: [UInt8] = []
        var skipping = false
        var offset = 0
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try mappingErrors { try chunk.withUnsafeMutableBytes { try file.pread(into: $0, at: offset) } }
            if n == 0 { break }
            offset += n
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
    /// it over `path`: readers see the old content or the new one, never a mix. With `sync`
    /// (`--sync`), the file and its directory are synced as every output is.
    static func writeFileAtomically(_ path: String, bytes: [UInt8], tempTag: String, sync: Bool = false) throws {
        let file = try OutputFile.create(finalPath: path, relativePath: path, tempTag: tempTag)
        do {
            try mappingErrors { try bytes.withUnsafeBytes { try file.write($0, at: 0) } }
            try file.commit(sync: sync)
        } catch {
            file.discard()
            throw error
        }
    }

    /// True when file descriptor `fd` is a terminal.
    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Writes `text` to file descriptor `fd` (1 or 2), ignoring failures (a closed pipe must
    /// not stop a run).
    static func writeText(_ text: String, to fd: Int32) {
        let stream = FileDescriptor(rawValue: fd, path: "fd \(fd)", owning: false)
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { raw in
            _ = try? stream.writeAll(raw)
        }
    }

    /// This process's id.
    static var processID: Int32 { getpid() }
}
