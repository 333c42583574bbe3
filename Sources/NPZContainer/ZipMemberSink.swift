import NPYFormat
import NPYStream

/// The bytes of the member being written: stored as they come or deflated on the fly, with the
/// CRC-32 and sizes counted for the local header patch and central directory. Memory stays bounded
/// (the writer's 1 MiB output buffer plus zlib's state; for parallel deflate, `threads + 2` blocks).
/// Valid until `ZipArchiveWriter.finishMember()`.
public final class ZipMemberSink: InPlaceByteSink {
    /// The member's name.
    public let name: String
    /// Uncompressed bytes accepted so far.
    public private(set) var bytesWritten: UInt64 = 0
    /// Bytes of member data written to the archive so far (equal to `bytesWritten` when stored).
    /// For a member deflated in blocks, those already emitted (blocks are written as they are
    /// compressed, possibly on other threads); all of them once the member is finished.
    public var compressedBytesWritten: UInt64 { blockDeflater?.compressedCount ?? writtenDirectly }
    /// Bytes of member data this sink wrote itself (all but blocks of a parallel deflater).
    private var writtenDirectly: UInt64 = 0

    private weak var writer: ZipArchiveWriter?
    /// The archive as its writer names it, for the location of this sink's errors.
    private let archive: String
    private var record: WrittenMember
    private let deflater: DeflateStream?
    private let blockDeflater: ParallelDeflater?
    /// For a member copied as stored in another archive: the entry whose CRC and sizes it keeps.
    private let copied: ZipEntry?
    private var crc = CRC32()
    private var closed = false

    init(
        writer: ZipArchiveWriter, name: String, record: WrittenMember, deflater: DeflateStream?,
        blockDeflater: ParallelDeflater? = nil
    ) {
        self.writer = writer
        self.archive = writer.path
        self.name = name
        self.record = record
        self.deflater = deflater
        self.blockDeflater = blockDeflater
        self.copied = nil
    }

    /// A member taking `entry`'s stored data as written (see `ZipArchiveWriter.beginCopiedMember`).
    init(writer: ZipArchiveWriter, name: String, record: WrittenMember, copying entry: ZipEntry) {
        self.writer = writer
        self.archive = writer.path
        self.name = name
        self.record = record
        self.deflater = nil
        self.blockDeflater = nil
        self.copied = entry
    }

    /// Adds all of `bytes` to the member (deflating them if the member is deflated). Throws, located
    /// in the archive (`FileError`), `.misuse` after the member was finished, `.io` if the archive
    /// cannot be written.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        do {
            try add(bytes)
        } catch {
            throw FileError.inArchive(archive, error)
        }
    }

    /// True for a member deflated in blocks: `writeInPlace` fills the block's input directly.
    public var lendsMemory: Bool { blockDeflater != nil }

    /// Lets `fill` write the member's next bytes (at most `limit`) straight into the input of the
    /// deflate block being filled; returns the count it wrote. Throws what `fill` throws, as thrown;
    /// `.misuse` (located in the archive) for a member that lends no memory (`lendsMemory`) or after
    /// it was finished, and the errors of `write`.
    public func writeInPlace(limit: Int, _ fill: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Int {
        var fillFailure: (any Error)?
        let written: Int
        do throws(ZipError) {
            let writer = try usableWriter()
            guard let blockDeflater else {
                throw ZipError.misuse(detail: "member '\(name)' lends no memory (not deflated in blocks)")
            }
            written = try writer.guarded { () throws(ZipError) -> Int in
                try blockDeflater.writeInPlace(limit: limit) { room in
                    do {
                        return try fill(room)
                    } catch {
                        fillFailure = error
                        return 0
                    }
                }
            }
        } catch {
            throw FileError.inArchive(archive, error)
        }
        if let fillFailure { throw fillFailure }
        bytesWritten += UInt64(written)
        return written
    }

    private func add(_ bytes: UnsafeRawBufferPointer) throws(ZipError) {
        let writer = try usableWriter()
        try writer.guarded { () throws(ZipError) in
            if let copied {
                // Stored data of another archive's member: its CRC and sizes are the entry's.
                guard compressedBytesWritten + UInt64(bytes.count) <= copied.compressedSize else {
                    throw ZipError.sizeMismatch(
                        member: name, field: "compressed size", expected: copied.compressedSize,
                        found: compressedBytesWritten + UInt64(bytes.count), source: "the copied data")
                }
                try appendCompressed(bytes, to: writer)
                return
            }
            bytesWritten += UInt64(bytes.count)
            if let blockDeflater {
                // Blocks are checksummed and written on the workers (ParallelDeflater.checksum).
                try blockDeflater.write(bytes)
                return
            }
            crc.update(bytes)
            if let check = writer.contentCheck {
                // Compared with the existing member, not written (and not deflated).
                check.compare(bytes)
                writtenDirectly += UInt64(bytes.count)
                return
            }
            guard let deflater else {
                try writer.append(bytes)
                writtenDirectly += UInt64(bytes.count)
                return
            }
            var rest = bytes
            while !rest.isEmpty {
                let progress = try deflateStep(rest, flush: .none, deflater: deflater, writer: writer)
                rest = UnsafeRawBufferPointer(rebasing: rest[progress.consumed...])
            }
        }
    }

    /// Ends the member; the same as `ZipArchiveWriter.finishMember()`.
    public func finish() throws {
        let writer: ZipArchiveWriter
        do {
            writer = try usableWriter()
        } catch {
            throw FileError.inArchive(archive, error)
        }
        try writer.finishMember()
    }

    /// Stops the member's block writes (see `ParallelDeflater.abandon`); for the writer's deinit.
    func abandon() {
        blockDeflater?.abandon()
    }

    /// Flushes the deflate stream and returns the finished record (called by the writer).
    func close() throws(ZipError) -> WrittenMember {
        guard let writer, !closed else {
            throw ZipError.misuse(detail: "member '\(name)' closed twice")
        }
        try blockDeflater?.finish()
        if let deflater {
            var ended = false
            while !ended {
                ended = try deflateStep(
                    UnsafeRawBufferPointer(start: nil, count: 0), flush: .finish,
                    deflater: deflater, writer: writer
                ).streamEnded
            }
        }
        closed = true
        if let copied {
            guard compressedBytesWritten == copied.compressedSize else {
                throw ZipError.sizeMismatch(
                    member: name, field: "compressed size", expected: copied.compressedSize,
                    found: compressedBytesWritten, source: "the copied data")
            }
            bytesWritten = copied.uncompressedSize
            crc = CRC32(value: copied.crc32)
        }
        record.crc32 = blockDeflater?.checksum ?? crc.value
        record.uncompressedSize = bytesWritten
        record.compressedSize = compressedBytesWritten
        return record
    }

    /// Appends stored data of a copied member.
    private func appendCompressed(_ bytes: UnsafeRawBufferPointer, to writer: ZipArchiveWriter) throws(ZipError) {
        try writer.append(bytes)
        writtenDirectly += UInt64(bytes.count)
    }

    /// One deflate call into the writer's free output space. Each call consumes input or produces output
    /// (there is always output space), so the loops above end.
    private func deflateStep(
        _ input: UnsafeRawBufferPointer, flush: DeflateFlush, deflater: DeflateStream, writer: ZipArchiveWriter
    ) throws(ZipError) -> ZlibProgress {
        let progress = try writer.withFreeOutput { (free) throws(ZipError) -> (written: Int, result: ZlibProgress) in
            let progress = try deflater.process(input, into: free, flush: flush)
            return (progress.produced, progress)
        }
        writtenDirectly += UInt64(progress.produced)
        if progress.consumed == 0, progress.produced == 0, !progress.streamEnded {
            throw ZipError.zlib(operation: "deflate", code: -5, message: "no progress with free output space")
        }
        return progress
    }

    private func usableWriter() throws(ZipError) -> ZipArchiveWriter {
        guard let writer else {
            throw ZipError.misuse(
                detail: "member '\(name)' written after its writer was released")
        }
        try writer.checkUsable()
        guard !closed, writer.isCurrent(self) else {
            throw ZipError.misuse(detail: "member '\(name)' written after it was finished")
        }
        return writer
    }
}
