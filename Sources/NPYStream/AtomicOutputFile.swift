import NPDropPlatform
import NPYFormat
import Synchronization

/// An output file that appears under its final name only when complete: the one atomic output
/// of npdrop (`apply`'s outputs, and every file a run writes through its `OutputFile`).
///
/// Writes go to a temporary file in the same directory, named by `TemporaryName` (so the
/// rename stays on one file system). `commit()` renames it to the final name, replacing any
/// file there; `discard()`, or releasing the object uncommitted, unlinks the temporary file. A
/// process that is killed can leave the temporary file behind, never a partial file under the
/// final name. Positioned writes are safe from several threads at once (segments of one file
/// written by different workers); `commit` and `discard` happen once.
public final class AtomicOutputFile: ByteSink, Sendable {
    /// The final name.
    public let path: String
    /// The temporary name written to until `commit()`.
    public let temporaryPath: String
    /// The temporary file's descriptor (also for positioned writes by several workers). Do not
    /// close it.
    public let descriptor: FileDescriptor
    private let state = Mutex(State.open)

    private enum State { case open, committed, discarded }

    /// Creates the empty temporary file `TemporaryName.name(tag:...)` next to `path` (exclusive
    /// create, permissions 0666 less umask; the next number when the name is taken). Throws a
    /// `FileError` if the directory is missing or not writable. With `readable`, the descriptor
    /// can read the file back too (a digest of what is written reads only what it did not see).
    public init(path: String, tag: String = TemporaryName.applyTag, readable: Bool = false) throws {
        self.path = path
        let (directory, base) = Self.split(path)
        var created: (String, FileDescriptor)?
        var lastError: (any Error)?
        for _ in 0..<1000 where created == nil {
            let name = TemporaryName.name(
                tag: tag, processID: TemporaryName.processID,
                sequence: TemporaryName.nextSequence(), base: base)
            let candidate = directory + name
            do {
                created = (candidate, try FileDescriptor.createExclusive(candidate, readable: readable))
            } catch let error as FileError {
                lastError = error
                guard case NPYStreamError.system(_, EEXIST)? = error.underlying as? NPYStreamError else { throw error }
            }
        }
        guard let (temporary, descriptor) = created else {
            throw lastError
                ?? FileError(path: path, underlying: NPYStreamError.system(operation: "create", code: EEXIST))
        }
        temporaryPath = temporary
        self.descriptor = descriptor
    }

    deinit {
        discard()
    }

    /// True until `commit()` or `discard()`.
    public var isOpen: Bool { state.withLock { $0 == .open } }

    /// Writes all of `bytes` at byte `offset` of the temporary file (short writes retried);
    /// safe from several threads on disjoint ranges. Throws a `FileError`.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        try descriptor.pwriteAll(bytes, at: offset)
    }

    /// Sets the temporary file's length to `byteCount` (zero-filled). Throws a `FileError`.
    public func setLength(_ byteCount: Int) throws {
        try descriptor.truncate(to: byteCount)
    }

    /// Appends all of `bytes` to the temporary file.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(isOpen, "write after commit or discard")
        try descriptor.writeAll(bytes)
    }

    /// Makes the file appear under `path`: optionally `fsync`s it, closes it, renames it over
    /// `path`, and (when syncing) `fsync`s the directory so the rename survives a power loss.
    /// Without `syncToDisk` (the default, as `cp` and `np.save` do) the rename is still atomic for
    /// other processes, but data may be lost on a crash of the machine. On failure the temporary file is removed and the error thrown.
    public func commit(syncToDisk: Bool = false) throws {
        let wasOpen = state.withLock { value -> Bool in
            defer { if value == .open { value = .committed } }
            return value == .open
        }
        precondition(wasOpen, "commit after commit or discard")
        do {
            try Self.commit(descriptor, temporaryPath: temporaryPath, finalPath: path, sync: syncToDisk)
        } catch {
            try? descriptor.close()
            unlink(temporaryPath)
            throw error
        }
    }

    /// The one commit step of every output npdrop writes (this type's, the runner's outputs and
    /// its manifests): with `sync`, `fsync` the file; close it; rename `temporaryPath` over
    /// `finalPath`; with `sync`, `fsync` the directory so that the rename survives a power cut
    /// too. Throws a `FileError` naming `finalPath`; the temporary file is the caller's to remove
    /// then. A directory that cannot be opened or synced is not an error (some file systems
    /// refuse `fsync` on directories): the rename itself has happened.
    public static func commit(_ descriptor: FileDescriptor, temporaryPath: String, finalPath: String, sync: Bool) throws
    {
        if sync { try descriptor.sync() }
        try descriptor.close()
        if rename(temporaryPath, finalPath) != 0 {
            throw FileError(path: finalPath, underlying: NPYStreamError.system(operation: "rename", code: errno))
        }
        if sync {
            let directory = Self.split(finalPath).directory
            if let directoryFD = try? FileDescriptor.openForReading(directory.isEmpty ? "." : directory) {
                try? directoryFD.sync()
            }
        }
    }

    /// Closes and unlinks the temporary file unless already committed; safe to call twice.
    public func discard() {
        let wasOpen = state.withLock { value -> Bool in
            defer { if value == .open { value = .discarded } }
            return value == .open
        }
        guard wasOpen else { return }
        try? descriptor.close()
        unlink(temporaryPath)
    }

    /// `("dir/", "name")` for `"dir/name"`, `("", "name")` for `"name"`.
    static func split(_ path: String) -> (directory: String, base: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[...slash]), String(path[path.index(after: slash)...]))
    }
}
