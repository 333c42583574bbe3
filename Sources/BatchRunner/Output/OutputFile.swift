import DropoutFiles
import NPDropPlatform
import NPYFormat
import NPYStream

/// One output of a run task, manifest or completion record: an `AtomicOutputFile` (the one
/// atomic output type: temporary name, exclusive create, commit step, sync policy) tagged for
/// the run's clean-up (`TempNames`), with the run's extras: its path relative to OUT, writes
/// that stop once the run is interrupted, and errors as `RunnerError`s. Positioned writes are
/// safe from several threads at once, so segments of one file may be written by different workers.
///
/// `verify` makes its outputs with `comparing(...)` instead: no temporary file, every write is
/// compared with the file already at the final name (`ComparingOutputSink`), and `commit()`
/// renames nothing.
public final class OutputFile: Sendable {
    /// Path of the final file relative to the run's output root (e.g. `data/a/x.npy`).
    public let relativePath: String
    /// Absolute path the file gets when committed.
    public let finalPath: String
    /// Where the bytes go — the temporary file (`FileOutputSink`, positioned writes by several
    /// workers, named by `finalPath`) or, for `verify`, a `ComparingOutputSink` — until
    /// `commit()` or `discard()`. Do not use it after the task finished.
    public let sink: any OutputSink
    /// The temporary file; nil for a comparison.
    private let temporary: AtomicOutputFile?
    private let comparingSink: ComparingOutputSink?
    /// The file sink behind `sink` when this is a temporary file: it checksums what is written
    /// when the file was created `digesting`.
    private let fileSink: FileOutputSink?
    private let closed = Locked(false)
    private let interruption: RunInterruption?

    private init(
        relativePath: String, temporary: AtomicOutputFile, interruption: RunInterruption?,
        digest: ByteRangeDigest?
    ) {
        self.interruption = interruption
        self.relativePath = relativePath
        self.finalPath = temporary.path
        self.temporary = temporary
        // The temporary file starts empty and is changed only through this sink: it may hold a
        // small header for the write that follows it, and knows the file's length.
        let file = FileOutputSink(
            descriptor: temporary.descriptor, name: temporary.path, digest: digest, coalescing: true)
        self.sink = file
        self.fileSink = file
        self.comparingSink = nil
    }

    private init(
        comparing sink: ComparingOutputSink, relativePath: String, finalPath: String,
        interruption: RunInterruption?
    ) {
        self.interruption = interruption
        self.relativePath = relativePath
        self.finalPath = finalPath
        self.temporary = nil
        self.sink = sink
        self.fileSink = nil
        self.comparingSink = sink
    }

    /// Absolute path of the temporary file being written ("" for a comparison).
    public var temporaryPath: String { temporary?.temporaryPath ?? "" }

    /// An output that compares every byte with the file already at `finalPath` (`verify`):
    /// nothing is created or written. Once `interruption` is requested, every write throws
    /// `RunInterrupted`.
    static func comparing(finalPath: String, relativePath: String, interruption: RunInterruption? = nil) -> OutputFile {
        OutputFile(
            comparing: ComparingOutputSink(comparingWith: finalPath, name: finalPath), relativePath: relativePath,
            finalPath: finalPath, interruption: interruption)
    }

    /// For an output made by `comparing(...)`: how it compared with the file at `finalPath`
    /// once the task is done; nil for a temporary file.
    var comparison: ComparingOutputSink.Comparison? { comparingSink?.comparison }

    /// Creates an empty temporary file tagged `tempTag` next to `finalPath`
    /// (`AtomicOutputFile.init(path:tag:)`). Throws `RunnerError.io`. Once `interruption` is
    /// requested, every write throws `RunInterrupted`. With `digesting`, `sink` checksums what
    /// is written through it and the descriptor can read, so that `contentDigest()` reads back
    /// only what did not pass through the sink.
    static func create(
        finalPath: String, relativePath: String, tempTag: String,
        interruption: RunInterruption? = nil, digesting: Bool = false
    ) throws -> OutputFile {
        let temporary = try RunnerFS.mappingErrors {
            try AtomicOutputFile(path: finalPath, tag: tempTag, readable: digesting)
        }
        return OutputFile(
            relativePath: relativePath, temporary: temporary, interruption: interruption,
            digest: digesting ? ByteRangeDigest() : nil)
    }

    /// Throws when the file can no longer be written (committed, discarded, or the run was
    /// interrupted).
    func checkWritable() throws {
        if interruption?.isRequested == true { throw RunInterrupted() }
        if closed.withLock({ $0 }) {
            throw RunnerError.io(path: temporaryPath, operation: "write (already committed or discarded)", errno: EBADF)
        }
    }

    /// Writes all of `bytes` at byte `offset` of the temporary file (short writes retried).
    /// Throws a `FileError` naming the file when the system refuses.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        try checkWritable()
        try sink.write(bytes, at: Int(offset))
    }

    /// The size and CRC-32C of the temporary file as it is now: from what `sink` saw pass
    /// (nothing is read when every byte was written through it), the rest read back. Throws
    /// `RunnerError.io`, and `RunnerError.usage` for an output that compares.
    func contentDigest() throws -> FileDigest {
        try checkWritable()
        guard let file = fileSink else {
            throw RunnerError.usage("\(finalPath): an output that compares has no digest of its own")
        }
        return try RunnerFS.mappingErrors {
            let size = try file.finishPendingWrites() ?? file.descriptor.status().size
            return FileDigest(size: Int64(size), crc32c: try file.contentCRC32C(size: size))
        }
    }

    private func closeOnce() -> Bool {
        closed.withLock { value -> Bool in
            defer { value = true }
            return !value
        }
    }

    /// Renames the file to its final name through `AtomicOutputFile.commit` (with `sync`, the
    /// data is flushed before the rename and the directory after it; without it, the default of
    /// a run, a killed process still never leaves a partial file under the final name, but a
    /// power cut may lose recent outputs). On failure the temporary file is removed.
    func commit(sync: Bool) throws {
        guard closeOnce() else {
            throw RunnerError.io(path: temporaryPath, operation: "commit (already closed)", errno: EBADF)
        }
        guard let temporary else { return }  // a comparison: nothing to rename
        try RunnerFS.mappingErrors {
            do {
                try fileSink?.finishPendingWrites()
            } catch {
                temporary.discard()
                throw error
            }
            try temporary.commit(syncToDisk: sync)
        }
    }

    /// Closes the file (if open) and removes the temporary file; never throws. (Released
    /// uncommitted, the `AtomicOutputFile` removes its temporary file too.)
    func discard() {
        _ = closeOnce()
        temporary?.discard()
    }
}
