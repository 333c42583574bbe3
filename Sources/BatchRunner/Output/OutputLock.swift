import NPDropPlatform
import NPYStream

private func systemOpen(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
private func systemClose(_ fd: Int32) { _ = close(fd) }

/// One npdrop run per OUT at a time, with `flock(2)` on lock files in OUT.
///
/// - `OUT/.npdrop-lock`: an unsharded run, `verify` and `merge-manifests` hold it exclusively;
///   every shard holds it shared, so shards of one set run side by side and nothing else does.
///   The exclusive holder writes `<pid> <host>` into it.
/// - `OUT/.npdrop-lock-shard-<I>-of-<N>`: shard I of N holds it exclusively (`<pid> <host>`):
///   the same shard twice is refused. A shard also refuses to start while a shard lock of
///   another N is held.
///
/// Every lock is taken without waiting (`LOCK_NB`): a busy OUT is refused at once with the
/// holders' pids. A holder removes its lock file on release (after checking, when the file was
/// shared, that it is the last holder); a file left by a killed process is not held and is
/// simply reused. An acquirer checks that the path still names the file it locked, so a file
/// removed under it is never trusted.
public final class OutputLock: Sendable {
    /// What a holder does in OUT.
    public enum Scope: Sendable, Hashable {
        /// The only process in OUT: an unsharded run, `verify`, `merge-manifests`.
        case exclusive
        /// One shard of a set; other shards of the same N may run beside it.
        case shard(ShardSpec)
    }

    /// Every lock file's name starts with this.
    public static let namePrefix = ".npdrop-lock"
    static let mainName = namePrefix

    static func shardName(_ shard: ShardSpec) -> String {
        "\(namePrefix)-shard-\(shard.index)-of-\(shard.count)"
    }

    /// True for the names of npdrop's lock files.
    public static func isLockName(_ name: [UInt8]) -> Bool {
        name.starts(with: Array(namePrefix.utf8))
    }

    private struct Held: Sendable {
        let path: String
        let descriptor: FileDescriptor
        let exclusive: Bool
    }

    private let held: Locked<[Held]>

    private init(held: [Held]) {
        self.held = Locked(held)
    }

    /// Takes the locks `scope` needs in `directory` (OUT, canonical), or throws `.usage` (exit 2)
    /// naming `shownOutput` (OUT as the user wrote it): when another npdrop holds OUT (with its
    /// pid), when OUT cannot be written (read-only, no permission), or when the file system has
    /// no `flock`.
    public static func acquire(in directory: String, shownOutput: String, scope: Scope) throws -> OutputLock {
        let main = RelativePath.join(directory, mainName)
        switch scope {
        case .exclusive:
            guard let file = try lock(main, exclusive: true, shownOutput: shownOutput) else {
                throw RunnerError.usage(
                    "OUT '\(shownOutput)' is in use by another npdrop (\(holders(in: directory))); wait for it to finish or choose another OUT"
                )
            }
            writeOwner(file.descriptor)
            return OutputLock(held: [file])
        case .shard(let shard):
            guard let shared = try lock(main, exclusive: false, shownOutput: shownOutput) else {
                throw RunnerError.usage(
                    "OUT '\(shownOutput)' is in use by another npdrop (\(holders(in: directory))); shard \(shard) cannot share it with a run that is not one of its shards"
                )
            }
            let own = RelativePath.join(directory, shardName(shard))
            guard let mine = try lock(own, exclusive: true, shownOutput: shownOutput) else {
                release(shared)
                throw RunnerError.usage(
                    "shard \(shard) is already running into OUT '\(shownOutput)' (\(owner(of: own) ?? "pid unknown"))")
            }
            writeOwner(mine.descriptor)
            let result = OutputLock(held: [mine, shared])
            for (other, path) in shardLockFiles(in: directory) where other.count != shard.count {
                if isHeld(path) {
                    result.release()
                    throw RunnerError.usage(
                        "OUT '\(shownOutput)' is in use by shard \(other) (\(owner(of: path) ?? "pid unknown")); shards of different counts cannot share an OUT"
                    )
                }
            }
            return result
        }
    }

    /// Releases every lock and removes the lock files this process may remove; idempotent.
    public func release() {
        let files = held.withLock { files -> [Held] in
            defer { files = [] }
            return files
        }
        for file in files { OutputLock.release(file) }
    }

    deinit { release() }

    private static func release(_ file: Held) {
        // A shared holder removes the file only when it can take it exclusively: no other holder.
        if file.exclusive || flock(file.descriptor.rawValue, LOCK_EX | LOCK_NB) == 0 {
            if sameFile(file.descriptor, path: file.path) { try? RunnerFS.removeFile(file.path) }
        }
        try? file.descriptor.close()
    }

    /// Opens (creating) and locks `path`; nil when another process holds a conflicting lock.
    private static func lock(_ path: String, exclusive: Bool, shownOutput: String) throws -> Held? {
        for _ in 0..<100 {
            let descriptor: FileDescriptor
            do {
                descriptor = try RunnerFS.open(
                    path, flags: O_RDWR | O_CREAT, mode: 0o644, operation: "create the lock file")
            } catch RunnerError.io(_, _, let code) {
                throw RunnerError.usage("cannot write in OUT '\(shownOutput)': \(RunnerFS.errnoDescription(code))")
            }
            var status: Int32
            repeat {
                status = flock(descriptor.rawValue, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB)
            } while status != 0 && errno == EINTR
            if status != 0 {
                let code = errno
                try? descriptor.close()
                if code == EWOULDBLOCK || code == EAGAIN { return nil }
                throw RunnerError.usage(
                    "cannot lock OUT '\(shownOutput)': \(RunnerFS.errnoDescription(code)) (the file system must support flock; on Lustre mount with -o flock)"
                )
            }
            // The file may have been removed by its last holder between our open and flock.
            if sameFile(descriptor, path: path) {
                return Held(path: path, descriptor: descriptor, exclusive: exclusive)
            }
            try? descriptor.close()
        }
        throw RunnerError.usage("cannot lock OUT '\(shownOutput)': the lock file keeps being replaced")
    }

    private static func sameFile(_ descriptor: FileDescriptor, path: String) -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(descriptor.rawValue, &open) == 0, lstat(path, &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    /// True when some process holds a lock on the existing file `path`. Tries a few times: a
    /// process testing the same file holds it for an instant only.
    private static func isHeld(_ path: String) -> Bool {
        for attempt in 0..<5 {
            let fd = systemOpen(path, O_RDWR | O_CLOEXEC)
            if fd < 0 { return false }
            defer { systemClose(fd) }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                flock(fd, LOCK_UN)
                return false
            }
            if attempt < 4 { usleep(20_000) }
        }
        return true
    }

    private static func writeOwner(_ descriptor: FileDescriptor) {
        var text = "\(RunnerFS.processID) \(hostName)\n"
        try? descriptor.truncate(to: 0)
        _ = try? text.withUTF8 { try descriptor.pwriteAll(UnsafeRawBufferPointer($0), at: 0) }
    }

    private static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(cString: buffer)
    }

    /// `pid N` (plus ` on host H` when H is not this host) from a lock file, or nil.
    private static func owner(of path: String) -> String? {
        guard let bytes = try? RunnerFS.readFile(path, limit: 4096),
            let text = String(validating: bytes, as: UTF8.self)
        else { return nil }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let pid = fields.first, pid.allSatisfy(\.isNumber) else { return nil }
        let host = fields.count > 1 ? String(fields[1]) : ""
        return "pid \(pid)" + (host.isEmpty || host == hostName ? "" : " on host \(host)")
    }

    /// The holders named by OUT's lock files, for a refusal message.
    private static func holders(in directory: String) -> String {
        var names: [String] = []
        if let main = owner(of: RelativePath.join(directory, mainName)) { names.append(main) }
        for (shard, path) in shardLockFiles(in: directory) {
            names.append("shard \(shard): " + (owner(of: path) ?? "pid unknown"))
        }
        return names.isEmpty ? "pid unknown" : names.joined(separator: ", ")
    }

    private static func shardLockFiles(in directory: String) -> [(ShardSpec, String)] {
        let prefix = "\(namePrefix)-shard-"
        var found: [(ShardSpec, String)] = []
        for entry in (try? RunnerFS.listDirectory(directory)) ?? [] {
            guard let name = String(validating: entry.name, as: UTF8.self), name.hasPrefix(prefix) else { continue }
            let rest = name.dropFirst(prefix.count)
            guard let of = rest.firstRange(of: "-of-"), let index = Int(rest[..<of.lowerBound]),
                let count = Int(rest[of.upperBound...]),
                let shard = try? ShardSpec(index: index, count: count), shardName(shard) == name
            else { continue }
            found.append((shard, RelativePath.join(directory, name)))
        }
        return found.sorted { ($0.0.count, $0.0.index) < ($1.0.count, $1.0.index) }
    }
}
