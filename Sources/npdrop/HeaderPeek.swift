import NPYFormat
import NPYStream

/// The preamble and header text of an `.npy` stream, read without interpreting the dtype, so
/// that `inspect` can show the header of an array npdrop does not transform as well.
struct HeaderPeek {
    var version: NPYVersion
    /// The header text (after the preamble).
    var text: [UInt8]
    /// Every byte read: magic, version, length field and text.
    var consumed: [UInt8]

    /// Reads at most the preamble and `NPYHeaderParser.maxHeaderLength` bytes of text from
    /// `source`. Throws `NPYFormatError` (bad magic or version, truncated or too long header).
    static func read(from source: any ByteSource) throws -> HeaderPeek {
        let bytes = try NPYReader.readHeaderBytes(from: source)
        return HeaderPeek(version: bytes.version, text: bytes.text, consumed: bytes.consumed)
    }

    /// The header's fields when npdrop does not transform its dtype (with the reason), nil when it
    /// does. Throws `NPYFormatError` for any other problem of the header.
    func untransformed() throws -> (fields: NPYHeaderFields, reason: String)? {
        do {
            _ = try NPYHeaderParser.parseHeader(text, version: version)
            return nil
        } catch NPYFormatError.unsupportedDType(_, let reason) {
            return (try NPYHeaderParser.parseFields(text, version: version), reason)
        }
    }
}

/// Gives `prefix` first, then the rest of `source`: hands a stream whose header was peeked at
/// to `NPYReader` as if nothing had been read.
final class ReplayingByteSource: ByteSource {
    private let prefix: [UInt8]
    private var position = 0
    private let source: any ByteSource

    init(prefix: [UInt8], then source: any ByteSource) {
        self.prefix = prefix
        self.source = source
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard position < prefix.count else { return try source.read(into: buffer) }
        let count = min(buffer.count, prefix.count - position)
        prefix.withUnsafeBytes { bytes in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)]))
        }
        position += count
        return count
    }
}
