import NPYFormat
import NPYStream
import NPZContainer

/// Dropout on every member of an `.npz`: member source → `NPYReader` → kernel → `NPYWriter`
/// → member sink of the result archive, and the mask into a member of the same name in the
/// mask archive. Members keep their names and order.
public enum NPZDropout {
    /// Processes every member of `archive` in central-directory order. Member `entry` gets the
    /// key `relpath + "\0" + entry` (`relpath`: the archive's path relative to the input, its
    /// base name, or `--key`) and is written to `output` (and its mask to `mask`) under the
    /// same name, encoded as `encoding` says. Memory: `scratch`, the archives' buffers,
    /// and each plan's noise table, if any. Returns the plans, one per member, in order.
    ///
    /// Stops at the first failing member, throwing an error that names the archive and member:
    /// `DropoutError.inArray` (rank, dtype, options), a `FileError` (not an `.npy`, refused dtype,
    /// truncated, CRC, I/O), or `DropoutError.trailingBytes` for a member with bytes after its
    /// array data. `output` and `mask` are left unfinished then; the caller discards them.
    public static func run(
        archive: ZipArchiveReader, relpath: String, copy: Int = 0, options: DropoutOptions,
        output: ZipArchiveWriter, mask: ZipArchiveWriter?, encoding: MemberEncoding = MemberEncoding(),
        scratch: DropoutScratch
    ) throws -> [ArrayDropoutPlan] {
        var plans: [ArrayDropoutPlan] = []
        for entry in archive.entries {
            let member = entry.name
            let source = MemberSource(try archive.openMember(entry), archive: archive.path)
            let reader = try NPYReader(source: source, name: archive.path, member: member)
            let plan = try ArrayDropoutPlan(header: reader.header, key: ArrayKey(relpath: relpath, member: member),
                                            copy: copy, options: options, name: archive.path, member: member)
            let method = encoding.writeMethod(forInput: entry.method)
            let outputSink = MemberSink(try output.beginMember(name: member, method: method), archive: output.path)
            let maskSink = try mask.map { MemberSink(try $0.beginMember(name: member, method: method), archive: $0.path) }
            try plan.run(reader: reader, output: outputSink, outputName: output.path, mask: maskSink,
                         maskName: mask?.path, scratch: scratch)
            if reader.trailingBytesSeen {
                throw DropoutError.trailingBytes.inArray(file: archive.path, member: member)
            }
            try output.finishMember()
            try mask?.finishMember()
            plans.append(plan)
        }
        return plans
    }
}

/// A member's bytes, with zip errors re-worded to drop the archive and member that the
/// reader's `FileError` puts in front anyway (so messages name them once).
final class MemberSource: ByteSource {
    private let source: ZipMemberSource
    private let archive: String

    init(_ source: ZipMemberSource, archive: String) {
        self.source = source
        self.archive = archive
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        do {
            return try source.read(into: buffer)
        } catch let error as ZipError {
            throw MemberZipError(error, archive: archive, member: source.entry.name)
        }
    }
}

/// A member being written, with zip errors re-worded as in `MemberSource`.
final class MemberSink: ByteSink {
    private let sink: ZipMemberSink
    private let archive: String

    init(_ sink: ZipMemberSink, archive: String) {
        self.sink = sink
        self.archive = archive
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        do {
            try sink.write(bytes)
        } catch {
            throw MemberZipError(error, archive: archive, member: sink.name)
        }
    }
}

/// A `ZipError` whose description leaves out its leading `archive: member 'name': ` (the
/// `FileError` around it names both).
struct MemberZipError: Error, CustomStringConvertible {
    let error: ZipError
    let description: String

    init(_ error: ZipError, archive: String, member: String) {
        self.error = error
        let text = error.description
        var detail = Substring(text)
        for prefix in ["\(archive): member '\(member)': ", "\(archive): "] where text.hasPrefix(prefix) {
            detail = text.dropFirst(prefix.count)
            break
        }
        description = String(detail)
    }
}
