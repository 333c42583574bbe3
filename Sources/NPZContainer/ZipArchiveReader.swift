import NPYFormat
import NPYStream

/// An open zip archive: its central directory parsed into `entries`; members opened on demand.
/// Reads use positioned I/O, so several member sources may be read at once (one per thread).
public final class ZipArchiveReader: Sendable {
    /// The path given at open; used in every error message.
    public let path: String
    /// The members in central directory order.
    public let entries: [ZipEntry]
    /// The archive comment (empty if none).
    public let comment: [UInt8]
    /// The caps this reader enforces.
    public let limits: ZipLimits

    private let file: ZipFileDescriptor
    /// Member data must end at or before this offset (the start of the central directory).
    private let dataLimit: UInt64

    /// Opens `path` and reads its end records and central directory (at most
    /// `limits.maxCentralDirectorySize` + 64 KiB of memory). Throws a `ZipError` located in `path`
    /// (`FileError`, as every error of the reader and its member sources) when the file cannot
    /// be read, is not a zip archive, is truncated or corrupt, or exceeds a limit. Every byte
    /// read from the archive (end records, directory, headers, member data) is recorded into
    /// `digest` when given.
    public init(path: String, limits: ZipLimits = .default, digest: ByteRangeDigest? = nil) throws {
        do {
            let file = try ZipFileDescriptor.openForReading(path, digest: digest)
            let fileSize = try file.size()
            let tailLength = Int(min(fileSize, UInt64(ZipRecordSize.maxEndRecordSearch)))
            let tailOffset = fileSize - UInt64(tailLength)
            let tail = try Self.read(file, at: tailOffset, count: tailLength)
            let location = try EndOfCentralDirectory.locate(
                fileSize: fileSize, tail: tail, tailOffset: tailOffset,
                readAt: { (offset, count) throws(ZipError) in try Self.read(file, at: offset, count: count) })

            guard location.entryCount <= UInt64(limits.maxEntries) else {
                throw ZipError.tooManyEntries(count: location.entryCount, limit: limits.maxEntries)
            }
            guard location.size <= UInt64(limits.maxCentralDirectorySize) else {
                throw ZipError.centralDirectoryTooLarge(
                    size: location.size, limit: limits.maxCentralDirectorySize)
            }
            let count = Int(location.entryCount)
            let (minimum, overflow) = count.multipliedReportingOverflow(by: ZipRecordSize.centralDirectoryHeader)
            guard !overflow, UInt64(minimum) <= location.size else {
                throw ZipError.corrupt(
                    member: nil,
                    detail: "\(count) entries need at least \(count) x 46 bytes of central directory, "
                        + "the end record declares \(location.size)")
            }
            let directory = try Self.read(file, at: location.offset, count: Int(location.size))
            guard directory.count == Int(location.size) else {
                throw ZipError.truncated(
                    member: nil,
                    detail: "central directory at offset \(location.offset) declares \(location.size) bytes, "
                        + "the file has \(directory.count)")
            }
            self.entries = try CentralDirectoryParser.parse(
                bytes: directory, expectedCount: count, limits: limits)
            self.path = path
            self.comment = location.comment
            self.limits = limits
            self.file = file
            self.dataLimit = location.offset
        } catch {
            throw FileError.inArchive(path, error)
        }
    }

    /// The last entry named exactly `name` (same Unicode scalars; as Python's `ZipFile.getinfo`), or nil.
    public func entry(named name: String) -> ZipEntry? {
        entries.last { $0.name.unicodeScalars.elementsEqual(name.unicodeScalars) }
    }

    /// Opens `entry` for streaming: checks its local header (and data descriptor) against the central
    /// directory, then returns a source that yields exactly `entry.uncompressedSize` bytes and verifies
    /// CRC-32 and sizes on the read that reaches the end. Throws `ZipError` for an encrypted member, an
    /// unsupported method, an inflate ratio above the limit, or a header that disagrees. A deflated
    /// member whose compressed and declared sizes are both at most `wholeMemberLimit` is read whole
    /// and inflated by libdeflate in one call; any other, or one that libdeflate does not inflate
    /// to exactly its declared bytes, is streamed through `inflateEngine` (all give the same bytes,
    /// and errors always come from the streaming inflater; ISA-L is faster than zlib).
    public func openMember(
        _ entry: ZipEntry, bufferSize: Int = 1 << 16,
        inflateEngine: DeflateEngine = ZipArchiveReader.defaultInflateEngine,
        wholeMemberLimit: UInt64 = ZipArchiveReader.defaultWholeMemberLimit
    ) throws -> ZipMemberSource {
        do {
            let name = entry.name
            guard !entry.isEncrypted, entry.flags & ZipFlags.strongEncryption == 0 else {
                throw ZipError.encrypted(member: name)
            }
            guard entry.method == .stored || entry.method == .deflated else {
                throw ZipError.unsupportedMethod(member: name, method: entry.method)
            }
            if entry.method == .stored, entry.compressedSize != entry.uncompressedSize {
                throw ZipError.sizeMismatch(
                    member: name, field: "stored size", expected: entry.uncompressedSize,
                    found: entry.compressedSize, source: "its compressed size")
            }
            if entry.method == .deflated {
                let (cap, overflow) = entry.compressedSize.multipliedReportingOverflow(by: limits.maxInflateRatio)
                if !overflow, entry.uncompressedSize > cap {
                    throw ZipError.inflateRatioExceeded(
                        member: name, compressed: entry.compressedSize,
                        uncompressed: entry.uncompressedSize, limit: limits.maxInflateRatio)
                }
            }
            let header = try readLocalHeader(entry)
            let (dataEnd, overflow) = header.dataOffset.addingReportingOverflow(entry.compressedSize)
            guard !overflow, dataEnd <= dataLimit else {
                throw ZipError.corrupt(
                    member: name,
                    detail: "\(entry.compressedSize) bytes of data at offset \(header.dataOffset) run past the central "
                        + "directory at offset \(dataLimit)")
            }
            if entry.usesDataDescriptor {
                let available = Int(min(24, dataLimit - dataEnd))
                let descriptor = try Self.read(file, at: dataEnd, count: available)
                try LocalFileHeader.checkDataDescriptor(entry: entry, bytes: descriptor)
            }
            return try ZipMemberSource(
                file: file, archive: path, entry: entry, dataOffset: header.dataOffset, bufferSize: bufferSize,
                inflateEngine: inflateEngine, wholeMemberLimit: wholeMemberLimit)
        } catch {
            throw FileError.inArchive(path, member: entry.name, error)
        }
    }

    /// The inflater members are read with unless one is named: ISA-L, measured 1.3–2.5× zlib's speed
    /// on float and mask members (docs/npz.md).
    public static let defaultInflateEngine = DeflateEngine.isal

    /// Largest compressed and declared uncompressed size (16 MiB each) of a deflated member read
    /// whole and inflated by libdeflate in one call (about 1.4× ISA-L's streaming inflate on
    /// float members); at most twice this much memory per member being read, reused from member
    /// to member. 0 streams every member.
    public static let defaultWholeMemberLimit: UInt64 = 16 << 20

    /// Opens the last member named `name`; throws `.memberNotFound` if there is none.
    public func openMember(named name: String) throws -> ZipMemberSource {
        do {
            guard let entry = entry(named: name) else { throw ZipError.memberNotFound(member: name) }
            return try openMember(entry)
        } catch {
            throw FileError.inArchive(path, error)
        }
    }

    private func readLocalHeader(_ entry: ZipEntry) throws(ZipError) -> LocalFileHeader {
        let fixedSize = UInt64(ZipRecordSize.localFileHeader)
        guard entry.localHeaderOffset <= dataLimit, dataLimit - entry.localHeaderOffset >= fixedSize else {
            throw ZipError.corrupt(
                member: entry.name,
                detail: "local header offset \(entry.localHeaderOffset) is not before the central directory at "
                    + "offset \(dataLimit)")
        }
        let fixed = try Self.read(file, at: entry.localHeaderOffset, count: ZipRecordSize.localFileHeader)
        guard fixed.count == ZipRecordSize.localFileHeader else {
            throw ZipError.truncated(
                member: entry.name,
                detail: "local header at offset \(entry.localHeaderOffset) is cut short")
        }
        guard fixed.le32(at: 0) == ZipSignature.localFileHeader else {
            throw ZipError.corrupt(
                member: entry.name,
                detail: "expected local header signature PK\\3\\4 at offset \(entry.localHeaderOffset), "
                    + "found 0x\(String(fixed.le32(at: 0), radix: 16))")
        }
        let variableLength = Int(fixed.le16(at: 26)) + Int(fixed.le16(at: 28))
        let variableOffset = entry.localHeaderOffset + fixedSize
        guard dataLimit - variableOffset >= UInt64(variableLength) else {
            throw ZipError.corrupt(
                member: entry.name,
                detail: "local header at offset \(entry.localHeaderOffset) declares \(variableLength) bytes of name "
                    + "and extra field, running into the central directory")
        }
        let variable = try Self.read(file, at: variableOffset, count: variableLength)
        guard variable.count == variableLength else {
            throw ZipError.truncated(
                member: entry.name,
                detail: "local header at offset \(entry.localHeaderOffset) is cut short")
        }
        guard Int(fixed.le16(at: 26)) == entry.rawName.count else {
            throw ZipError.corrupt(
                member: entry.name,
                detail:
                    "local header name is \(fixed.le16(at: 26)) bytes, the central directory's \(entry.rawName.count)")
        }
        return try LocalFileHeader.check(entry: entry, fixed: fixed, variable: variable)
    }

    /// Reads up to `count` bytes at `offset` (fewer at the end of the file).
    private static func read(_ file: ZipFileDescriptor, at offset: UInt64, count: Int) throws(ZipError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        var failure: ZipError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(ZipError) { got = try file.read(into: buffer, at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
        bytes.removeLast(count - got)
        return bytes
    }
}
