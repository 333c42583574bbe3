import DropoutFiles
import NPDropPlatform
import NPYFormat
import NPYStream

private let temporaryNameCounter = Locked<UInt64>(0)
/// This process's id, asked once (temporary names carry it; one `getpid` per output otherwise).
private let temporaryNameProcessID = RunnerFS.processID

/// An output being written under a temporary name in its final directory; `commit()` renames
/// it to the final name, `discard()` removes it. Built on NPYStream's `FileDescriptor` (one
/// implementation of EINTR and short-write handling); positioned writes are safe from several
/// threads at once, so segments of one file may be written by different workers.
///
/// The temporary name is `TempNames.name(...)` (`.npdrop-tmp-<tag>-<pid>-<n>-<base>`), not
/// `AtomicOutputFile`'s, because the run's clean-up must tell which shard a leftover belongs to.
/// Like `AtomicOutputFile`, nothing ever has the final name before it is complete.
///
/// `verify` makes its outputs with `comparing(...)` instead: no temporary file, every write is
/// compared with the file already at the final name (`ComparingOutputSink`), and `commit()`
/// renames nothing.
public final class OutputFile: Sendable {
    /// Path of the final file relative to the run's output root (e.g. `data/a/x.npy`).
    public let relativePath: String
    /// Absolute path the file gets when committed.
    public let finalPath: String
    /// Absolute path of the temporary file being written ("" for a comparison).
    public let temporaryPath: String
    /// Where the bytes go — the temporary file (`FileOutputSink`, positioned writes by several
    /// workers, named by `finalPath`) or, for `verify`, a `ComparingOutputSink` — until
    /// `commit()` or `discard()`. Do not use it after the task finished.
    public let sink: any OutputSink
    private let temporary: FileDescriptor?
    private let comparingSink: ComparingOutputSink?
    private let closed = Locked(false)
    private let interruption: RunInterruption?

    private init(relativePath: String, finalPath: String, temporaryPath: String, descriptor: FileDescriptor,
                 interruption: RunInterruption?) {
        self.interruption = interruption
        self.relativePath = relativePath
        self.finalPath = finalPath
        self.temporaryPath = temporaryPath
        self.temporary = descriptor
        self.sink = FileOutputSink(descriptor: descriptor, name: finalPath)
        self.comparingSink = nil
    }

    private init(comparing sink: ComparingOutputSink, relativePath: String, finalPath: String,
                 interruption: RunInterruption?) {
        self.interruption = interruption
        self.relativePath = relativePath
        self.finalPath = finalPath
        self.temporaryPath = ""
        self.temporary = nil
        self.sink = sink
        self.comparingSink = sink
    }

    /// An output that compares every byte with the file already at `finalPath` (`verify`):
    /// nothing is created or written. Once `interruption` is requested, every write throws
    /// `RunInterrupted`.
    static func comparing(finalPath: String, relativePath: String, interruption: RunInterruption? = nil) -> OutputFile {
        OutputFile(comparing: ComparingOutputSink(comparingWith: finalPath, name: finalPath), relativePath: relativePath,
                   finalPath: finalPath, interruption: interruption)
    }

    /// For an output made by `comparing(...)`: how it compared with the file at `finalPath`
    /// once the task is done; nil for a temporary file.
    var comparison: ComparingOutputSink.Comparison? { comparingSink?.comparison }

    /// Creates an empty temporary file named `TempNames.name(...)` next to `finalPath`
    /// (`O_EXCL`, retried with the next number when the name is taken). Throws `RunnerError.io`.
    /// Once `interruption` is requested, every write throws `RunInterrupted`.
    static func create(finalPath: String, relativePath: String, tempTag: String,
                       interruption: RunInterruption? = nil) throws -> OutputFile {
        let slash = finalPath.lastIndex(of: "/")
        let directory = slash.map { String(finalPath[..<$0]) } ?? "."
        let base = slash.map { String(finalPath[finalPath.index(after: $0)...]) } ?? finalPath
        for _ in 0..<1000 {
            let sequence = temporaryNameCounter.withLock { value -> UInt64 in
                value += 1
                return value
            }
            let name = TempNames.name(tag: tempTag, processID: temporaryNameProcessID, sequence: sequence, base: base)
            let path = directory + "/" + name
            do {
                let descriptor = try RunnerFS.mappingErrors { try FileDescriptor.createExclusive(path, mode: 0o666) }
                return OutputFile(relativePath: relativePath, finalPath: finalPath, temporaryPath: path, descriptor: descriptor,
                                  interruption: interruption)
            } catch RunnerError.io(_, _, let code) where code == EEXIST {
                continue
            }
        }
        throw RunnerError.io(path: directory, operation: "find a free temporary name in", errno: EEXIST)
    }

    /// Throws when the file can no longer be written (committed, discarded, or the run was
    /// interrupted).
    func checkWritable() throws { try checkOpen() }

    private func checkOpen() throws {
        if interruption?.isRequested == true { throw RunInterrupted() }
        if closed.withLock({ $0 }) {
            throw RunnerError.io(path: temporaryPath, operation: "write (already committed or discarded)", errno: EBADF)
        }
    }

    /// Writes all of `bytes` at byte `offset` of the temporary file (short writes retried).
    /// Throws a `FileError` naming the temporary file when the system refuses.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        try checkOpen()
        try sink.write(bytes, at: Int(offset))
    }

    /// Sets the temporary file's length to `byteCount` (zero-filled), e.g. before segments
    /// are written out of order.
    public func setLength(_ byteCount: Int64) throws {
        try checkOpen()
        try sink.setLength(Int(byteCount))
    }

    /// A sequential `ByteSink` that writes at `offset`, `offset + n`, ... of this file.
    public func makeSink(startingAt offset: Int64 = 0) -> OutputFileSink {
        OutputFileSink(file: self, offset: offset)
    }

    private func closeOnce() -> Bool {
        closed.withLock { value -> Bool in
            defer { value = true }
            return !value
        }
    }

    /// Closes the file and renames it to its final name, replacing any file there, through
    /// `AtomicOutputFile.commit` (the one commit step). With `sync`, the data is flushed to the
    /// device (`fsync`) before the rename and the directory after it; without it (the
    /// default of a run) a killed process still never leaves a partial file under the final
    /// name, but a power cut may lose recent outputs. On failure the temporary file is removed.
    func commit(sync: Bool) throws {
        guard closeOnce() else {
            throw RunnerError.io(path: temporaryPath, operation: "commit (already closed)", errno: EBADF)
        }
        guard let descriptor = temporary else { return }  // a comparison: nothing to rename
        do {
            try RunnerFS.mappingErrors {
                try AtomicOutputFile.commit(descriptor, temporaryPath: temporaryPath, finalPath: finalPath, sync: sync)
            }
        } catch {
            try? descriptor.close()
            try? RunnerFS.removeFile(temporaryPath)
            throw error
        }
    }

    /// Closes the file (if open) and removes the temporary file; never throws.
    func discard() {
        guard let descriptor = temporary else {
            _ = closeOnce()
            return
        }
        if closeOnce() { try? descriptor.close() }
        try? RunnerFS.removeFile(temporaryPath)
    }

    deinit {
        if let descriptor = temporary, !closed.withLock({ $0 }) {
            try? descriptor.close()
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
