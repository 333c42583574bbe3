import NPDropPlatform
import NPYFormat

/// An output file that appears under its final name only when complete.
///
/// Writes go to `.<name>.npdrop-tmp-<pid>-<random>` in the same directory (so the rename stays on
/// one file system; `<name>` is cut so that the whole name stays within 255 bytes). `commit()` renames it to the final name, replacing any file there;
/// `discard()`, or releasing the object uncommitted, unlinks the temporary file. A process that
/// is killed can leave the temporary file behind, never a partial file under the final name.
public final class AtomicOutputFile: ByteSink {
    /// The final name.
    public let path: String
    /// The temporary name written to until `commit()`.
    public let temporaryPath: String
    /// The temporary file's descriptor (also for positioned writes by several workers).
    public let descriptor: FileDescriptor
    private var state = State.open

    private enum State { case open, committed, discarded }

    /// Creates the temporary file next to `path` (exclusive create, permissions 0666 less umask).
    /// Throws a `FileError` if the directory is missing or not writable.
    public init(path: String) throws {
        self.path = path
        let (directory, base) = Self.split(path)
        var created: (String, FileDescriptor)?
        var lastError: (any Error)?
        for _ in 0..<8 where created == nil {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            let tail = ".npdrop-tmp-\(getpid())-" + suffix
            let candidate = directory + "." + Self.clipped(base, toBytes: 255 - 1 - tail.utf8.count) + tail
            do {
                created = (candidate, try FileDescriptor.createExclusive(candidate))
            } catch let error as FileError {
                lastError = error
                guard case NPYStreamError.system(_, EEXIST)? = error.underlying as? NPYStreamError else { throw error }
            }
        }
        guard let (temporary, descriptor) = created else {
            throw lastError ?? FileError(path: path, underlying: NPYStreamError.system(operation: "create", code: EEXIST))
        }
        temporaryPath = temporary
        self.descriptor = descriptor
    }

    deinit {
        discard()
    }

    /// Appends all of `bytes` to the temporary file.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(state == .open, "write after commit or discard")
        try descriptor.writeAll(bytes)
    }

    /// Makes the file appear under `path`: optionally `fsync`s it, closes it, renames it over
    /// `path`, and (when syncing) `fsync`s the directory so the rename survives a power loss.
    /// Without `syncToDisk` (the default, as `cp` and `np.save` do) the rename is still atomic for
    /// other processes, but data may be lost on a crash of the machine. On failure the temporary file is removed and the error thrown.
    public func commit(syncToDisk: Bool = false) throws {
        precondition(state == .open, "commit after commit or discard")
        do {
            try Self.commit(descriptor, temporaryPath: temporaryPath, finalPath: path, sync: syncToDisk)
            state = .committed
        } catch {
            discard()
            throw error
        }
    }

    /// The one commit step of every output npdrop writes (this type's, the runner's outputs and
    /// its manifests): with `sync`, `fsync` the file; close it; rename `temporaryPath` over
    /// `finalPath`; with `sync`, `fsync` the directory so that the rename survives a power cut
    /// too. Throws a `FileError` naming `finalPath`; the temporary file is the caller's to remove
    /// then. A directory that cannot be opened or synced is not an error (some file systems
    /// refuse `fsync` on directories): the rename itself has happened.
    public static func commit(_ descriptor: FileDescriptor, temporaryPath: String, finalPath: String, sync: Bool) throws {
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
        guard state == .open else { return }
        state = .discarded
        try? descriptor.close()
        unlink(temporaryPath)
    }

    /// The longest prefix of `base` (whole Unicode scalars) of at most `limit` UTF-8 bytes, so that
    /// the temporary name of a final name that fits the file system's 255 bytes fits as well.
    public static func clipped(_ base: String, toBytes limit: Int) -> String {
        guard base.utf8.count > limit else { return base }
        var kept = String.UnicodeScalarView()
        var used = 0
        for scalar in base.unicodeScalars {
            used += String(scalar).utf8.count
            if used > limit { break }
            kept.append(scalar)
        }
        return String(kept)
    }

    /// `("dir/", "name")` for `"dir/name"`, `("", "name")` for `"name"`.
    static func split(_ path: String) -> (directory: String, base: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[...slash]), String(path[path.index(after: slash)...]))
    }
}
