import NPYFormat

/// Everything the zip layer refuses or fails at: the member where there is one, what was expected
/// and what was found. The archive is attached once, as a `FileError`, by the entry point that
/// opened it by name (see `description`).
public enum ZipError: Error, Sendable, Equatable, CustomStringConvertible, LocatedError {
    /// A system call failed (`operation` is e.g. "open", "pread"; `errno` is the C error number).
    case io(operation: String, errno: Int32)
    /// The archive ends before a structure or member data that it declares, or a member's deflate
    /// data ends before its end-of-stream marker.
    case truncated(member: String?, detail: String)
    /// No end-of-central-directory record in the last 65,557 bytes: not a zip archive, or cut short.
    case missingEndRecord(fileSize: UInt64)
    /// A record has a wrong signature, impossible field or inconsistent layout.
    case corrupt(member: String?, detail: String)
    /// The archive uses a zip feature npz never needs (spanning, several disks).
    case unsupportedFeature(member: String?, feature: String)
    /// The member is compressed with a method other than stored (0) or deflate (8).
    case unsupportedMethod(member: String, method: ZipMethod)
    /// The member is encrypted (general-purpose flag bit 0).
    case encrypted(member: String)
    /// The archive declares more entries than `ZipLimits.maxEntries`.
    case tooManyEntries(count: UInt64, limit: Int)
    /// The central directory is larger than `ZipLimits.maxCentralDirectorySize`.
    case centralDirectoryTooLarge(size: UInt64, limit: Int)
    /// A member name is longer (in bytes) than `ZipLimits.maxNameLength`.
    case nameTooLong(entryIndex: Int, length: Int, limit: Int)
    /// A member name is not valid UTF-8 although flag bit 11 says it is.
    case invalidName(entryIndex: Int, detail: String)
    /// A size or CRC in the central directory disagrees with the local header, data descriptor or data.
    case sizeMismatch(member: String, field: String, expected: UInt64, found: UInt64, source: String)
    /// The CRC-32 of the member's bytes is not the one the central directory declares.
    case crcMismatch(member: String, expected: UInt32, found: UInt32)
    /// zlib rejected the deflate stream.
    case corruptDeflate(member: String, detail: String)
    /// The deflate stream produces more bytes than the declared uncompressed size (stopped at declared + 1).
    case inflatesPastDeclaredSize(member: String, declared: UInt64)
    /// Declared uncompressed size / compressed size is above `ZipLimits.maxInflateRatio`.
    case inflateRatioExceeded(member: String, compressed: UInt64, uncompressed: UInt64, limit: UInt64)
    /// No member of that name.
    case memberNotFound(member: String)
    /// The writer was asked to add a name that is already in the archive.
    case duplicateName(member: String)
    /// A name the writer cannot store (empty, or longer than 65,535 bytes in UTF-8).
    case unwritableName(member: String, detail: String)
    /// A compression level outside -1...9.
    case invalidCompressionLevel(level: Int)
    /// The writer or a member source/sink was used out of order (e.g. a write after finish).
    case misuse(detail: String)
    /// zlib returned an unexpected status outside any archive context (init failure, out of memory).
    case zlib(operation: String, code: Int32, message: String)

    /// One line: the member where there is one, what was expected and what was found. The archive
    /// is not part of the value: the zip layer's entry points (reader, writer, member source and
    /// sink) throw it inside a `FileError` that holds the archive's `ErrorLocation`, so the user
    /// reads `<archive>: member '<name>': <reason>`. Names are escaped (`MessageText`).
    public var description: String {
        guard let member else { return reason }
        return "member '" + MessageText.escaped(member) + "': " + reason
    }

    /// The member this error concerns, where there is one (`LocatedError`: `FileError` keeps it).
    public var member: String? {
        switch self {
        case let .truncated(member, _), let .corrupt(member, _), let .unsupportedFeature(member, _):
            return member
        case let .unsupportedMethod(member, _), let .encrypted(member), let .sizeMismatch(member, _, _, _, _),
            let .crcMismatch(member, _, _), let .corruptDeflate(member, _), let .inflatesPastDeclaredSize(member, _),
            let .inflateRatioExceeded(member, _, _, _), let .duplicateName(member), let .unwritableName(member, _):
            return member
        case .io, .missingEndRecord, .tooManyEntries, .centralDirectoryTooLarge, .nameTooLong, .invalidName,
            .memberNotFound, .invalidCompressionLevel, .misuse, .zlib:
            return nil
        }
    }

    /// The message without the archive and member (one line, escaped).
    public var reason: String {
        MessageText.escaped(unescapedReason)
    }

    private var unescapedReason: String {
        switch self {
        case let .io(operation, errno):
            return "\(operation) failed: \(Self.errnoText(errno)) (errno \(errno))"
        case let .truncated(_, detail):
            return "truncated archive: \(detail)"
        case let .missingEndRecord(fileSize):
            return "not a zip archive or truncated: no end-of-central-directory record "
                + "(expected signature PK\\5\\6 in the last 65,557 bytes of \(fileSize))"
        case let .corrupt(_, detail):
            return "corrupt zip: \(detail)"
        case let .unsupportedFeature(_, feature):
            return "unsupported zip feature: \(feature)"
        case let .unsupportedMethod(_, method):
            return "unsupported compression method \(method) "
                + "(expected 0 stored or 8 deflate)"
        case .encrypted:
            return "member is encrypted (flag bit 0); encryption is not supported"
        case let .tooManyEntries(count, limit):
            return "archive declares \(count) entries, more than the limit of \(limit)"
        case let .centralDirectoryTooLarge(size, limit):
            return "central directory is \(size) bytes, more than the limit of \(limit)"
        case let .nameTooLong(index, length, limit):
            return "entry #\(index) has a \(length)-byte name, more than the limit of \(limit)"
        case let .invalidName(index, detail):
            return "entry #\(index) has an invalid name: \(detail)"
        case let .sizeMismatch(_, field, expected, found, source):
            return "\(field) mismatch: central directory says \(expected), "
                + "\(source) says \(found)"
        case let .crcMismatch(_, expected, found):
            return "CRC-32 mismatch: central directory says \(Self.hex(expected)), "
                + "data gives \(Self.hex(found))"
        case let .corruptDeflate(_, detail):
            return "corrupt deflate data: \(detail)"
        case let .inflatesPastDeclaredSize(_, declared):
            return "deflate data inflates past the declared size of "
                + "\(declared) bytes (stopped there)"
        case let .inflateRatioExceeded(_, compressed, uncompressed, limit):
            return "declared size \(uncompressed) from \(compressed) compressed "
                + "bytes exceeds the inflate-ratio limit of \(limit):1"
        case let .memberNotFound(member):
            return "no member named '\(member)'"
        case .duplicateName:
            return "a member of that name was already written"
        case let .unwritableName(_, detail):
            return "cannot write this name: \(detail)"
        case let .invalidCompressionLevel(level):
            return "compression level \(level) is outside -1...9"
        case let .misuse(detail):
            return "zip writer misuse: \(detail)"
        case let .zlib(operation, code, message):
            return "zlib \(operation) failed with status \(code): \(message)"
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    private static func errnoText(_ code: Int32) -> String {
        ZipFileDescriptor.describe(errno: code)
    }
}
