import NPYFormat
import NPYStream

/// The bytes of one archive member, streamed in bounded memory (one input buffer for deflated
/// members). Yields exactly the declared uncompressed size; the read that reaches the end verifies
/// CRC-32 and sizes and throws a `ZipError` located in the archive (`FileError`) instead of
/// returning if they disagree. Once it has thrown, every later read throws the same error.
///
/// A deflated member whose two sizes are at most the reader's whole-member limit is read whole
/// on the first read and inflated in one libdeflate call (`WholeMemberInflater`), then served from
/// that buffer. If that fails in any way (bad data, a stream ending short, going on past the
/// declared size or before the last compressed byte, another CRC-32, an I/O error), the member is
/// read from its start by the streaming inflater instead, which throws exactly what it always
/// does: which path was taken never changes a byte, an error or where it is reported.
public final class ZipMemberSource: ByteSource {
    /// The entry being read.
    public let entry: ZipEntry
    /// Uncompressed bytes returned so far.
    public private(set) var bytesRead: UInt64 = 0
    /// Called with the member's data exactly as stored in the archive (the compressed bytes of a
    /// deflated member), piece by piece in order, as reads fetch it: reading the member to its end
    /// passes all `entry.compressedSize` bytes, and the end's CRC and size checks still apply.
    /// An error it throws ends the read with that error, as thrown (it names its own file, e.g.
    /// the archive the data is copied into). Used to copy a member without re-encoding. Set it
    /// before the first read. A member read whole passes its compressed bytes in one piece, once
    /// they are known to inflate correctly.
    public var storedDataTap: ((UnsafeRawBufferPointer) throws -> Void)?

    /// Whether the member's bytes came from one whole-member libdeflate inflate (false until the
    /// first read; false for stored members and for members read by the streaming inflater).
    public private(set) var inflatedWhole = false

    private let file: ZipFileDescriptor
    /// The archive as its reader was opened, for the location of this source's errors.
    private let archive: String
    private let dataOffset: UInt64
    private var crc = CRC32()
    private var finished = false
    private var failure: FileError?

    // Deflate state: compressed bytes not yet fetched, and the fetched-but-unconsumed window.
    // The streaming inflater and its input buffer are made when streaming starts.
    private var inflater: MemberInflater?
    private let inflateEngine: DeflateEngine
    private let bufferSize: Int
    private var whole: WholeRead
    private var input: [UInt8] = []
    private var inputStart = 0
    private var inputEnd = 0
    private var compressedFetched: UInt64 = 0

    /// How a deflated member is read: whole (not tried yet, or being served), or streamed.
    private enum WholeRead {
        case untried
        case serving(WholeMemberInflater)
        case streaming
    }

    init(
        file: ZipFileDescriptor, archive: String, entry: ZipEntry, dataOffset: UInt64, bufferSize: Int,
        inflateEngine: DeflateEngine, wholeMemberLimit: UInt64
    ) throws {
        self.file = file
        self.archive = archive
        self.entry = entry
        self.dataOffset = dataOffset
        self.inflateEngine = inflateEngine
        self.bufferSize = bufferSize
        if entry.method == .deflated, entry.compressedSize <= wholeMemberLimit,
            entry.uncompressedSize <= wholeMemberLimit
        {
            whole = .untried
        } else {
            whole = .streaming
            if entry.method == .deflated { try startStreaming() }
        }
    }

    deinit {
        if case .serving(let inflater) = whole { WholeMemberInflater.pool.give(inflater) }
    }

    /// Makes the streaming inflater and its input buffer.
    private func startStreaming() throws(ZipError) {
        whole = .streaming
        inflater = try MemberInflater(engine: inflateEngine)
        let size = Int(min(UInt64(max(bufferSize, 4_096)), max(entry.compressedSize, 1)))
        input = [UInt8](repeating: 0, count: size)
    }

    /// Fills `buffer` with up to `buffer.count` bytes of the member and returns the count; 0 at the end.
    /// Throws a `ZipError` located in the archive (`FileError`) on truncation, corrupt deflate data,
    /// a CRC or size mismatch, or I/O failure; a `storedDataTap` error as the tap threw it.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let failure { throw failure }
        if finished || buffer.count == 0 { return 0 }
        do {
            guard entry.method == .deflated else { return try readStored(into: buffer) }
            if case .untried = whole { try readWhole() }
            if case .serving(let inflater) = whole { return try serveWhole(into: buffer, from: inflater) }
            if inflater == nil { try startStreaming() }
            guard let inflater else { throw ZipError.misuse(detail: "no inflater") }
            return try readDeflated(into: buffer, inflater: inflater)
        } catch {
            let located = FileError.inArchive(archive, member: entry.name, error)
            failure = located
            throw located
        }
    }

    private var remaining: UInt64 { entry.uncompressedSize - bytesRead }

    /// Tries the whole-member inflate; on success the member's bytes, CRC-32 and sizes are known
    /// and the tap has seen the compressed bytes, otherwise nothing has happened (streaming follows).
    private func readWhole() throws {
        guard let whole = WholeMemberInflater.pool.take() else {
            self.whole = .streaming
            return
        }
        guard
            whole.inflate(
                file, at: dataOffset, compressedSize: Int(entry.compressedSize),
                declaredSize: Int(entry.uncompressedSize), crc32: entry.crc32)
        else {
            WholeMemberInflater.pool.give(whole)
            self.whole = .streaming
            return
        }
        self.whole = .serving(whole)
        inflatedWhole = true
        crc = CRC32(value: entry.crc32)
        compressedFetched = entry.compressedSize
        try storedDataTap?(whole.compressed)
    }

    private func serveWhole(into buffer: UnsafeMutableRawBufferPointer, from whole: WholeMemberInflater) throws -> Int {
        let count = Int(min(UInt64(buffer.count), remaining))
        if count > 0 {
            buffer.baseAddress!.copyMemory(from: whole.inflated.baseAddress! + Int(bytesRead), byteCount: count)
        }
        bytesRead += UInt64(count)
        if remaining == 0 {
            self.whole = .streaming
            WholeMemberInflater.pool.give(whole)
            try finish()
        }
        return count
    }

    private func readStored(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard remaining > 0 else {
            try finish()
            return 0
        }
        let want = Int(min(UInt64(buffer.count), remaining))
        let target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want])
        let got = try file.read(into: target, at: dataOffset + bytesRead)
        guard got == want else {
            throw ZipError.truncated(
                member: entry.name,
                detail: "member data ends after \(bytesRead + UInt64(got)) of \(entry.compressedSize) bytes")
        }
        crc.update(UnsafeRawBufferPointer(target))
        try storedDataTap?(UnsafeRawBufferPointer(target))
        bytesRead += UInt64(got)
        if remaining == 0 { try finish() }
        return got
    }

    private func readDeflated(
        into buffer: UnsafeMutableRawBufferPointer, inflater: MemberInflater
    ) throws -> Int {
        // Never let zlib write more than the declared size + 1 byte.
        let room = remaining >= UInt64(buffer.count) ? buffer.count : Int(remaining) + 1
        let target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<room])
        let progress = try inflateStep(into: target, inflater: inflater)
        try account(produced: progress.produced, in: target)
        if progress.streamEnded {
            try finish()
        } else if remaining == 0 {
            try drainToStreamEnd(inflater: inflater)
        }
        return progress.produced
    }

    /// Inflates into a 1-byte scratch until the stream ends; any byte produced is past the declared size.
    private func drainToStreamEnd(inflater: MemberInflater) throws {
        var scratch: UInt8 = 0
        let progress = try withUnsafeMutableBytes(of: &scratch) { (target) throws -> ZlibProgress in
            try inflateStep(into: target, inflater: inflater)
        }
        if progress.produced > 0 {
            throw ZipError.inflatesPastDeclaredSize(
                member: entry.name, declared: entry.uncompressedSize)
        }
        try finish()
    }

    private func account(produced: Int, in target: UnsafeMutableRawBufferPointer) throws(ZipError) {
        guard UInt64(produced) <= remaining else {
            throw ZipError.inflatesPastDeclaredSize(
                member: entry.name, declared: entry.uncompressedSize)
        }
        crc.update(UnsafeRawBufferPointer(rebasing: target[0..<produced]))
        bytesRead += UInt64(produced)
    }

    /// One or more inflate calls until some output is produced or the stream ends. Each pass either
    /// fetches input, consumes input or produces output; otherwise the data is truncated or corrupt.
    private func inflateStep(
        into target: UnsafeMutableRawBufferPointer, inflater: MemberInflater
    ) throws -> ZlibProgress {
        while true {
            if inputStart == inputEnd, compressedFetched < entry.compressedSize {
                try fetchInput()
            }
            var outcome: Result<ZlibProgress, ZipError> = .failure(.misuse(detail: "no inflate call"))
            input.withUnsafeBytes { all in
                let window = UnsafeRawBufferPointer(rebasing: all[inputStart..<inputEnd])
                outcome = Result { () throws(ZipError) in try inflater.process(window, into: target) }
            }
            let progress: ZlibProgress
            switch outcome {
            case .success(let value): progress = value
            case .failure(let error):
                throw ZipError.corruptDeflate(member: entry.name, detail: Self.zlibDetail(error))
            }
            inputStart += progress.consumed
            if progress.produced > 0 || progress.streamEnded { return progress }
            if progress.consumed == 0 {
                if inputStart == inputEnd, compressedFetched == entry.compressedSize {
                    throw ZipError.truncated(
                        member: entry.name,
                        detail: "the \(entry.compressedSize) compressed bytes end before the deflate end-of-stream "
                            + "marker, after \(bytesRead) of \(entry.uncompressedSize) bytes")
                }
                if inputStart < inputEnd {
                    throw ZipError.corruptDeflate(
                        member: entry.name, detail: "inflate made no progress")
                }
            }
        }
    }

    private func fetchInput() throws {
        let want = Int(min(UInt64(input.count), entry.compressedSize - compressedFetched))
        let offset = dataOffset + compressedFetched
        var got = 0
        var failure: (any Error)?
        input.withUnsafeMutableBytes { all in
            do {
                got = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: all[0..<want]), at: offset)
                try storedDataTap?(UnsafeRawBufferPointer(rebasing: all[0..<got]))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        guard got == want else {
            throw ZipError.truncated(
                member: entry.name,
                detail: "compressed data ends after \(compressedFetched + UInt64(got)) of \(entry.compressedSize) bytes"
            )
        }
        inputStart = 0
        inputEnd = got
        compressedFetched += UInt64(got)
    }

    /// Checks the sizes and CRC once the member's bytes are all out.
    private func finish() throws(ZipError) {
        if entry.method == .deflated {
            guard bytesRead == entry.uncompressedSize else {
                throw ZipError.sizeMismatch(
                    member: entry.name, field: "uncompressed size", expected: entry.uncompressedSize,
                    found: bytesRead, source: "the deflate data")
            }
            let consumed = compressedFetched - UInt64(inputEnd - inputStart) - UInt64(inflater?.lookaheadBytes ?? 0)
            guard consumed == entry.compressedSize else {
                throw ZipError.sizeMismatch(
                    member: entry.name, field: "compressed size", expected: entry.compressedSize,
                    found: consumed, source: "the deflate end-of-stream marker")
            }
        }
        guard crc.value == entry.crc32 else {
            throw ZipError.crcMismatch(member: entry.name, expected: entry.crc32, found: crc.value)
        }
        finished = true
    }

    private static func zlibDetail(_ error: ZipError) -> String {
        if case let .zlib(_, _, message) = error { return message }
        return error.description
    }
}
