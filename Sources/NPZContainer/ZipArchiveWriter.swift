import NPDropPlatform
import NPYFormat
import NPYStream

/// Writes a zip archive member by member, streaming each member's bytes (sizes need not be known in
/// advance) and laying out every record as `np.savez` / `np.savez_compressed` do: a local header with
/// zip64 sizes, the data, then the local header patched in place with the real CRC and sizes
/// (positioned writes, so the output must be a regular, seekable file, or another `OutputSink`).
/// Every byte reaches the output through one `OutputSink` (one call per full buffer, large
/// writes and header patches), exactly once: a local header still waiting for its CRC and sizes is
/// left out of what is flushed and sent when patched (a real file holds zeros there meanwhile),
/// so the sink may be `verify`'s comparison with an existing archive.
public final class ZipArchiveWriter {
    /// The path (or name given for a descriptor); used in every error message.
    public let path: String
    /// DOS time (low 16 bits) and date (high 16 bits) written for every member; by default
    /// 1980-01-01 00:00:00, which is what `np.savez` writes.
    public let dosDateTime: UInt32

    private let destination: any OutputSink
    /// Set by `init(comparingContentOf:name:)`: members are compared with an existing archive
    /// instead of being written.
    let contentCheck: ZipContentCheck?
    /// Buffered bytes not yet sent. It starts at `initialBufferSize` and doubles (up to
    /// `bufferSize`) when something does not fit, so an archive whose data mostly goes straight to
    /// the destination (large deflated blocks) never allocates and faults in the full buffer.
    private var output: [UInt8]
    private var outputFill = 0
    /// Room the buffer grows to at most (then it is flushed when full).
    private let bufferSize: Int
    /// File offset of `output[0]`.
    private var outputOffset: UInt64 = 0
    private var written: [WrittenMember] = []
    private var names: Set<[UInt8]> = []
    private var current: ZipMemberSink?
    private var isFinished = false
    private var failure: ZipError?
    /// The open member's local header while its CRC and sizes are unknown: never sent to the
    /// destination until `finishMember` patches it.
    private var pendingHeader: Range<UInt64>?

    /// 1980-01-01 00:00:00 as DOS date and time.
    public static let epochDOSDateTime: UInt32 = (0 << 9 | 1 << 5 | 1) << 16

    /// Creates (or truncates) `path`. Throws `ZipError.io` (located in `path`, as every error of
    /// the writer and its member sinks: `FileError`) if it cannot be opened.
    public convenience init(path: String, dosDateTime: UInt32 = ZipArchiveWriter.epochDOSDateTime) throws {
        let descriptor: ZipFileDescriptor
        do {
            descriptor = try ZipFileDescriptor.createForWriting(path)
        } catch {
            throw FileError.inArchive(path, error)
        }
        self.init(sink: ZipFileOutputSink(file: descriptor), dosDateTime: dosDateTime)
    }

    /// Writes to the open, seekable descriptor `descriptor` from offset 0; the caller keeps owning it
    /// (it is not closed). `name` is used in error messages. `finish()` truncates the file to the archive.
    public convenience init(
        descriptor: Int32, name: String, dosDateTime: UInt32 = ZipArchiveWriter.epochDOSDateTime
    ) {
        self.init(
            sink: ZipFileOutputSink(file: ZipFileDescriptor(borrowing: descriptor, path: name)),
            dosDateTime: dosDateTime)
    }

    /// Writes the archive from offset 0 into `sink` (positioned writes, and `setLength` to the
    /// archive's length in `finish()`); `sink.name` is used in error messages. A sink's failure
    /// becomes `ZipError.io`, located in the archive.
    public init(sink: any OutputSink, dosDateTime: UInt32 = ZipArchiveWriter.epochDOSDateTime) {
        self.destination = sink
        self.path = sink.name
        self.dosDateTime = dosDateTime
        self.bufferSize = 1 << 20
        self.output = [UInt8](repeating: 0, count: Self.initialBufferSize)
        self.contentCheck = nil
    }

    /// A writer that writes nothing: it compares the archive it is given, member by member as the
    /// bytes stream, with `existing` by content (`ZipContentCheck`: names, methods, flags, times,
    /// sizes, CRC-32s, stored data byte for byte, deflated members' inflated bytes; nothing is
    /// deflated). `contentDifference` holds the verdict after `finish`. `name` names the archive in
    /// messages. `beginCopiedMember` is refused: copy members through `beginMember`.
    public init(
        comparingContentOf existing: ZipArchiveReader, name: String,
        dosDateTime: UInt32 = ZipArchiveWriter.epochDOSDateTime
    ) {
        self.destination = DiscardingOutputSink(name: name)
        self.path = name
        self.dosDateTime = dosDateTime
        self.bufferSize = 1 << 16
        self.output = [UInt8](repeating: 0, count: Self.initialBufferSize)
        self.contentCheck = ZipContentCheck(existing: existing)
    }

    deinit {
        // A member left open (abandoned, or failed): no deflate worker writes after this returns.
        current?.abandon()
    }

    /// True for a writer made by `init(comparingContentOf:name:)`.
    public var comparesContent: Bool { contentCheck != nil }

    /// For a content-comparing writer after `finish`: nil when the existing archive holds the
    /// content given, else what differs first (one line, no path). Nil for other writers.
    public var contentDifference: String? { contentCheck?.difference }

    /// Bytes written so far, including buffered ones (the offset where the next record goes).
    public var position: UInt64 { outputOffset + UInt64(outputFill) }

    /// Starts a member named `name` (UTF-8; flag bit 11 is set when it is not ASCII) and returns the
    /// sink for its bytes. Writes its local header. Throws `.misuse` if another member is open or the
    /// archive is finished, `.duplicateName`, `.unwritableName`, `.invalidCompressionLevel`, and
    /// `.misuse` for a parallel deflate block size outside `ParallelDeflateOptions.blockSizeRange`.
    public func beginMember(name: String, method: ZipWriteMethod = .stored) throws -> ZipMemberSink {
        do {
            let rawName = try checkNewMember(name: name)
            var deflater: DeflateStream?
            var blockDeflater: ParallelDeflater?
            let levelAccepted =
                method.engine == .isal
                ? method.level == DeflateEngine.isalLevel : MemberEncoding.levelProblem(method.level) == nil
            if method.method == .deflated && !levelAccepted {
                throw ZipError.invalidCompressionLevel(level: method.level)
            }
            if method.method == .deflated && contentCheck == nil {
                if let parallel = method.parallel {
                    guard ParallelDeflateOptions.blockSizeRange.contains(parallel.blockSize) else {
                        throw ZipError.misuse(
                            detail: "deflate block size \(parallel.blockSize) for '\(name)' is outside "
                                + "\(ParallelDeflateOptions.blockSizeRange.lowerBound)...\(ParallelDeflateOptions.blockSizeRange.upperBound)"
                        )
                    }
                    // Blocks are written by whichever thread finished the next one (ParallelDeflater):
                    // this thread does not touch the writer while the member is open. Unowned, so a
                    // worker never keeps the writer alive: `deinit` stops the emitting first.
                    blockDeflater = try ParallelDeflater(
                        engine: method.engine, level: method.level, options: parallel,
                        emit: { [unowned(unsafe) self] (bytes: UnsafeRawBufferPointer) throws(ZipError) -> Void in
                            try self.appendBlock(bytes)
                        })
                } else {
                    deflater = try DeflateStream(level: method.level, windowBits: -15, memLevel: 8)
                }
            }
            let record = try startRecord(rawName: rawName, method: method.method)
            contentCheck?.begin(name: name, rawName: rawName)
            let sink = ZipMemberSink(
                writer: self, name: name, record: record, deflater: deflater, blockDeflater: blockDeflater)
            current = sink
            return sink
        } catch {
            throw FileError.inArchive(path, error)
        }
    }

    /// Starts a member named `name` that takes `entry`'s data exactly as stored in its archive
    /// (compressed bytes for a deflated member), keeping its method, CRC-32 and sizes: a copy
    /// without inflating or deflating again. The bytes written to the sink must be the
    /// `entry.compressedSize` bytes of `ZipMemberSource.storedDataTap`; `finishMember` throws
    /// `.sizeMismatch` for any other count. Throws as `beginMember`, and `.unsupportedMethod`
    /// for a method other than stored or deflated.
    public func beginCopiedMember(name: String, copying entry: ZipEntry) throws -> ZipMemberSink {
        do {
            guard contentCheck == nil else {
                throw ZipError.misuse(detail: "a copied member '\(name)' in a writer comparing content")
            }
            guard entry.method == .stored || entry.method == .deflated else {
                throw ZipError.unsupportedMethod(member: name, method: entry.method)
            }
            let rawName = try checkNewMember(name: name)
            let record = try startRecord(rawName: rawName, method: entry.method)
            let sink = ZipMemberSink(writer: self, name: name, record: record, copying: entry)
            current = sink
            return sink
        } catch {
            throw FileError.inArchive(path, error)
        }
    }

    /// Ends the open member: flushes its deflate stream, then patches its local header with the CRC and
    /// sizes. Throws `.misuse` if no member is open; I/O errors as `.io`.
    public func finishMember() throws {
        do {
            try checkUsable()
            guard let sink = current else {
                throw ZipError.misuse(detail: "finishMember() with no open member")
            }
            try guarded { () throws(ZipError) in
                let record = try sink.close()
                contentCheck?.end(record)
                let header = ZipHeaderEncoder.localHeader(
                    name: record.name, flags: record.flags, method: record.method, dosDateTime: record.dosDateTime,
                    crc: record.crc32, compressedSize: record.compressedSize, uncompressedSize: record.uncompressedSize)
                try patch(header, at: record.localHeaderOffset)
                written.append(record)
            }
            current = nil
        } catch {
            throw FileError.inArchive(path, error)
        }
    }

    /// Finishes any open member, writes the central directory and end records (zip64 ones when
    /// needed) and the `comment`, flushes, and truncates the file to the archive's length.
    /// The writer accepts nothing afterwards.
    public func finish(comment: [UInt8] = []) throws {
        do {
            if current != nil { try finishMember() }
            try checkUsable()
            guard comment.count <= 0xFFFF else {
                throw ZipError.misuse(detail: "archive comment of \(comment.count) bytes exceeds 65,535")
            }
            try guarded { () throws(ZipError) in
                let directoryOffset = position
                var directory: [UInt8] = []
                for member in written {
                    ZipHeaderEncoder.centralDirectoryHeader(member, into: &directory)
                    if directory.count >= 1 << 20 {
                        try append(directory)
                        directory.removeAll(keepingCapacity: true)
                    }
                }
                try append(directory)
                let directorySize = position - directoryOffset
                try append(
                    ZipHeaderEncoder.endRecords(
                        entryCount: written.count, directoryOffset: directoryOffset, directorySize: directorySize,
                        comment: comment))
                try flush()
                try setDestinationLength(position)
            }
            contentCheck?.finish(count: written.count, comment: comment)
            isFinished = true
        } catch {
            throw FileError.inArchive(path, error)
        }
    }

    // MARK: - Output used by ZipMemberSink

    /// Appends `bytes` to the archive (buffered; large writes go straight to the file).
    func append(_ bytes: UnsafeRawBufferPointer) throws(ZipError) {
        if outputFill + bytes.count > output.count { try makeRoom(for: bytes.count) }
        if bytes.count >= output.count {
            try put(bytes, at: outputOffset)
            outputOffset += UInt64(bytes.count)
            return
        }
        let at = outputFill
        output.withUnsafeMutableBytes { out in
            UnsafeMutableRawBufferPointer(rebasing: out[at..<(at + bytes.count)]).copyMemory(from: bytes)
        }
        outputFill += bytes.count
    }

    /// Appends a compressed block: a large one (at least `directWriteSize`) goes straight to the
    /// destination after what is buffered, so it is not copied into the buffer first.
    func appendBlock(_ bytes: UnsafeRawBufferPointer) throws(ZipError) {
        guard bytes.count >= Self.directWriteSize else { return try append(bytes) }
        try flush()
        try put(bytes, at: outputOffset)
        outputOffset += UInt64(bytes.count)
    }

    /// Compressed blocks at least this long are written without passing through the buffer.
    static let directWriteSize = 1 << 16

    /// Runs `body` with the free part of the output buffer (flushing first if it is full) and keeps
    /// the first n bytes it reports as written.
    func withFreeOutput<R>(
        _ body: (UnsafeMutableRawBufferPointer) throws(ZipError) -> (written: Int, result: R)
    ) throws(ZipError) -> R {
        if outputFill == output.count { try makeRoom(for: 1) }
        let at = outputFill
        var outcome: Result<(written: Int, result: R), ZipError>?
        output.withUnsafeMutableBytes { out in
            let free = UnsafeMutableRawBufferPointer(rebasing: out[at...])
            outcome = Result { () throws(ZipError) in try body(free) }
        }
        switch outcome {
        case .success(let value)?:
            outputFill += value.written
            return value.result
        case .failure(let error)?:
            throw error
        case nil:
            throw ZipError.misuse(detail: "output buffer unavailable")
        }
    }

    /// Records `error` so that later calls fail too, and rethrows it.
    func guarded<R>(_ body: () throws(ZipError) -> R) throws(ZipError) -> R {
        do {
            return try body()
        } catch {
            failure = error
            throw error
        }
    }

    func checkUsable() throws(ZipError) {
        if let failure {
            throw ZipError.misuse(detail: "the writer failed earlier (\(FileError.inArchive(path, failure)))")
        }
        guard !isFinished else { throw ZipError.misuse(detail: "the archive is already finished") }
    }

    func isCurrent(_ sink: ZipMemberSink) -> Bool { current === sink }

    // MARK: - Private

    /// Checks that a member named `name` may start now; returns the name's UTF-8 bytes.
    private func checkNewMember(name: String) throws(ZipError) -> [UInt8] {
        try checkUsable()
        guard current == nil else {
            throw ZipError.misuse(detail: "a new member '\(name)' while another member is open")
        }
        let rawName = Array(name.utf8)
        guard !rawName.isEmpty, !rawName.contains(0) else {
            throw ZipError.unwritableName(
                member: name, detail: "names must be non-empty and contain no NUL")
        }
        guard rawName.count <= 0xFFFF else {
            throw ZipError.unwritableName(
                member: name, detail: "\(rawName.count) bytes of UTF-8, more than 65,535")
        }
        guard !names.contains(rawName) else { throw ZipError.duplicateName(member: name) }
        return rawName
    }

    /// Writes the local header of a new member (CRC and sizes zero until `finishMember` patches
    /// them) and returns its record.
    private func startRecord(rawName: [UInt8], method: ZipMethod) throws(ZipError) -> WrittenMember {
        let flags: UInt16 = rawName.allSatisfy { $0 < 0x80 } ? 0 : ZipFlags.utf8Name
        let record = WrittenMember(
            name: rawName, flags: flags, method: method, dosDateTime: dosDateTime, crc32: 0,
            compressedSize: 0, uncompressedSize: 0, localHeaderOffset: position)
        let header = ZipHeaderEncoder.localHeader(
            name: rawName, flags: flags, method: method, dosDateTime: dosDateTime, crc: 0,
            compressedSize: 0, uncompressedSize: 0)
        try guarded { () throws(ZipError) in try append(header) }
        pendingHeader = record.localHeaderOffset..<(record.localHeaderOffset + UInt64(header.count))
        names.insert(rawName)
        return record
    }

    private func append(_ bytes: [UInt8]) throws(ZipError) {
        var failure: ZipError?
        bytes.withUnsafeBytes { raw in
            do throws(ZipError) { try append(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// The buffer's first size.
    static let initialBufferSize = 1 << 14

    /// Makes room for `count` more buffered bytes: grows the buffer (doubling) when they fit within
    /// `bufferSize`, else flushes it (a write at least the buffer's size then goes straight out).
    private func makeRoom(for count: Int) throws(ZipError) {
        let needed = outputFill + count
        guard needed <= bufferSize else { return try flush() }
        var size = output.count
        while size < needed { size *= 2 }
        output.append(contentsOf: repeatElement(0, count: min(size, bufferSize) - output.count))
    }

    private func flush() throws(ZipError) {
        guard outputFill > 0 else { return }
        var failure: ZipError?
        let count = outputFill
        output.withUnsafeBytes { out in
            do throws(ZipError) {
                try put(UnsafeRawBufferPointer(rebasing: out[0..<count]), at: outputOffset)
            } catch { failure = error }
        }
        if let failure { throw failure }
        outputOffset += UInt64(count)
        outputFill = 0
    }

    /// Hands `bytes` to the destination at `offset`, less the part inside `pendingHeader`; its
    /// failure becomes `ZipError.io`.
    private func put(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(ZipError) {
        guard bytes.count > 0 else { return }
        if let pending = pendingHeader, pending.lowerBound < offset + UInt64(bytes.count), offset < pending.upperBound {
            let before = Int(pending.lowerBound > offset ? pending.lowerBound - offset : 0)
            let after = Int(min(UInt64(bytes.count), pending.upperBound - offset))
            try sendToDestination(UnsafeRawBufferPointer(rebasing: bytes[0..<before]), at: offset)
            try sendToDestination(UnsafeRawBufferPointer(rebasing: bytes[after...]), at: offset + UInt64(after))
            return
        }
        try sendToDestination(bytes, at: offset)
    }

    private func sendToDestination(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(ZipError) {
        guard bytes.count > 0 else { return }
        guard let start = Int(exactly: offset), Int.max - start >= bytes.count else {
            throw ZipError.io(operation: "pwrite", errno: EFBIG)
        }
        do {
            try destination.write(bytes, at: start)
        } catch {
            throw ZipError.output(operation: "pwrite", error)
        }
    }

    /// Makes the destination exactly `length` bytes long; its failure becomes `ZipError.io`.
    private func setDestinationLength(_ length: UInt64) throws(ZipError) {
        guard let size = Int(exactly: length) else {
            throw ZipError.io(operation: "ftruncate", errno: EFBIG)
        }
        do {
            try destination.setLength(size)
        } catch {
            throw ZipError.output(operation: "ftruncate", error)
        }
    }

    /// Overwrites earlier bytes at `offset`: in the buffer if they are still there, else in the file.
    private func patch(_ bytes: [UInt8], at offset: UInt64) throws(ZipError) {
        pendingHeader = nil
        if offset >= outputOffset {
            let at = Int(offset - outputOffset)
            output.replaceSubrange(at..<(at + bytes.count), with: bytes)
            return
        }
        var failure: ZipError?
        bytes.withUnsafeBytes { raw in
            do throws(ZipError) { try put(raw, at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
