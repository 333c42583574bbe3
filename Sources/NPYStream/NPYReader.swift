import NPYFormat

/// Reads one `.npy` stream: the header at init, then the data in caller-sized chunks.
///
/// Memory: the header (at most 64 KiB, checked before allocating) plus nothing per chunk —
/// data goes straight into the caller's buffer. Bool data is checked as it passes.
/// Bytes after the data (trailing bytes) are ignored, as `np.load` ignores them; the reader
/// looks for one such byte when the data ends and reports it in `trailingBytesSeen`, so that
/// a container (npz) can refuse them.
/// Every error thrown is a `FileError` naming `name` (and `member`).
public final class NPYReader {
    /// The parsed header, including the data offset.
    public let header: NPYHeader
    /// The preamble and header exactly as read (magic, version, length field, header text).
    public let headerBytes: [UInt8]
    /// The file name used in messages.
    public let name: String
    /// The npz member name used in messages, if any.
    public let member: String?
    /// Data bytes delivered so far.
    public private(set) var dataBytesRead = 0
    /// True once the data has ended and at least one more byte was found after it.
    public private(set) var trailingBytesSeen = false

    private let source: any ByteSource
    private let validatesBools: Bool

    /// Reads and validates the preamble and header from `source`, leaving it at the first data byte.
    /// `validateBools: false` skips the 0/1 check (only for callers that check it themselves).
    /// Throws a `FileError` around an `NPYFormatError` (bad magic, version, truncated or bad header,
    /// refused dtype, ...) or an I/O error. For an empty array it also checks for trailing bytes.
    public init(source: any ByteSource, name: String, member: String? = nil, validateBools: Bool = true) throws {
        self.source = source
        self.name = name
        self.member = member
        let read = try FileError.wrapping(path: name, member: member) {
            let bytes = try Self.readHeaderBytes(from: source)
            let key = ParsedHeaderKey(version: bytes.version, text: bytes.text)
            let header = try Self.parsedHeaders.value(for: key) {
                try NPYHeaderParser.parseHeader(bytes.text, version: bytes.version)
            }
            return (header: header, bytes: bytes.consumed)
        }
        header = read.header
        headerBytes = read.bytes
        validatesBools = validateBools && header.dtype.kind == .bool
        if header.dataByteCount == 0 { try checkForTrailingBytes() }
    }

    /// The header text parsed and the version it came with.
    struct ParsedHeaderKey: Equatable, Sendable {
        var version: NPYVersion
        var text: [UInt8]
    }

    /// The headers parsed last (one `.npy` per sample repeats one header text).
    static let parsedHeaders = RecentResults<ParsedHeaderKey, NPYHeader>(capacity: 8)

    /// Opens `path` (or stdin for `-`) and reads its header.
    public static func open(path: String) throws -> NPYReader {
        let source = try FileByteSource.open(path)
        return try NPYReader(source: source, name: source.descriptor.path)
    }

    /// Data bytes not yet delivered.
    public var dataBytesRemaining: Int { header.dataByteCount - dataBytesRead }

    /// Fills `buffer` with the next `min(buffer.count, dataBytesRemaining)` data bytes and returns
    /// that count; returns 0 once all data was delivered. A buffer whose size is a multiple of the
    /// item size therefore always receives whole elements.
    /// Throws `FileError` around `NPYFormatError.truncated(.data, expected:found:)` if the input
    /// ends early (expected and found count data bytes), `.invalidBool` for a bool byte other than 0/1.
    public func readChunk(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let wanted = min(buffer.count, dataBytesRemaining)
        guard wanted > 0 else { return 0 }
        let target = UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted])
        let got = try FileError.wrapping(path: name, member: member) { try source.readFully(into: target) }
        if validatesBools {
            try FileError.wrapping(path: name, member: member) {
                try BoolValidator.validate(UnsafeRawBufferPointer(rebasing: target[..<got]), dataOffset: dataBytesRead)
            }
        }
        dataBytesRead += got
        if got < wanted {
            throw FileError(
                path: name, member: member,
                underlying: NPYFormatError.truncated(
                    section: .data, expected: header.dataByteCount, found: dataBytesRead))
        }
        if dataBytesRemaining == 0 { try checkForTrailingBytes() }
        return got
    }

    /// Reads and discards the remaining data (still checking it), leaving the reader at the end.
    public func skipData(using buffer: UnsafeMutableRawBufferPointer) throws {
        while try readChunk(into: buffer) > 0 {}
    }

    private func checkForTrailingBytes() throws {
        let found = try withUnsafeTemporaryAllocation(byteCount: 1, alignment: 1) { probe in
            try FileError.wrapping(path: name, member: member) { try source.read(into: probe) }
        }
        trailingBytesSeen = found > 0
    }

    /// Reads the preamble and the header text of an `.npy` stream without interpreting them:
    /// advances `source` past the header, allocates at most `NPYHeaderParser.maxHeaderLength`
    /// bytes, and throws `NPYFormatError` for a bad magic or version, a too long or truncated
    /// header. `consumed` is every byte read (magic, version, length field, text).
    public static func readHeaderBytes(
        from source: any ByteSource
    ) throws
        -> (version: NPYVersion, text: [UInt8], consumed: [UInt8])
    {
        var prefix = [UInt8](repeating: 0, count: NPYHeaderParser.magicAndVersionLength)
        let prefixCount = try prefix.withUnsafeMutableBytes { try source.readFully(into: $0) }
        let version = try NPYHeaderParser.parseVersion(prefix.prefix(prefixCount))

        var field = [UInt8](repeating: 0, count: NPYHeaderParser.headerLengthFieldSize(for: version))
        let fieldCount = try field.withUnsafeMutableBytes { try source.readFully(into: $0) }
        let length = try NPYHeaderParser.parseHeaderLength(field.prefix(fieldCount), version: version)

        // `length` is at most NPYHeaderParser.maxHeaderLength here.
        var text = [UInt8](repeating: 0, count: length)
        let textCount = try text.withUnsafeMutableBytes { try source.readFully(into: $0) }
        guard textCount == length else {
            throw NPYFormatError.truncated(section: .header, expected: length, found: textCount)
        }
        return (version, text, prefix + field + text)
    }
}
