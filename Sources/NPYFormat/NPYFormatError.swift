/// A reason why bytes are not an `.npy` file npdrop accepts.
///
/// The format layer knows no file names: the stream layer wraps these in `FileError`,
/// whose description puts the path in front. Every description is one line.
public enum NPYFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which part of the file ended early.
    public enum Section: String, Sendable, Hashable {
        case preamble = "preamble"
        case header = "header"
        case data = "data"
    }

    /// The first six bytes are not `\x93NUMPY`; `found` holds up to six of them.
    case badMagic(found: [UInt8])
    /// Version bytes other than 1.0, 2.0 or 3.0.
    case unsupportedVersion(major: UInt8, minor: UInt8)
    /// The header-length field announces more than `limit` bytes (checked before allocating).
    case headerTooLong(length: Int, limit: Int)
    /// The input ended inside `section`: `expected` bytes were needed, `found` were there.
    case truncated(section: Section, expected: Int, found: Int)
    /// The header text is not the Python-literal subset headers use.
    case malformedHeader(reason: String, offset: Int)
    /// The header is a valid literal but not a dictionary.
    case headerNotADictionary(found: String)
    /// One of `descr`, `fortran_order`, `shape` is absent.
    case missingKey(String)
    /// A key appears twice.
    case duplicateKey(String)
    /// A key other than `descr`, `fortran_order`, `shape` (or a key that is not a string).
    case unknownKey(String)
    /// `fortran_order` is not `True` or `False`.
    case invalidFortranOrder(found: String)
    /// `shape` is not a tuple of non-negative integers.
    case invalidShape(found: String)
    /// `shape` has more than `limit` dimensions.
    case tooManyDimensions(count: Int, limit: Int)
    /// The element count or the byte size of `shape` does not fit in `Int`.
    case sizeOverflow(shape: String, itemSize: Int)
    /// A descr npdrop refuses or does not know; `reason` names the kind (object, structured, ...).
    case unsupportedDType(descr: String, reason: String)
    /// A bool element that is neither 0 nor 1, `offset` bytes after the start of the data.
    case invalidBool(offset: Int, value: UInt8)

    public var description: String {
        switch self {
        case .badMagic(let found):
            let hex = found.map { hexByte($0) }.joined(separator: " ")
            let zipHint = found.starts(with: [0x50, 0x4B]) ? " (this looks like a zip archive such as an .npz)" : ""
            return "not an .npy file: bad magic bytes [\(hex)], expected [93 4e 55 4d 50 59]" + zipHint
        case .unsupportedVersion(let major, let minor):
            return "unsupported .npy format version \(major).\(minor) (supported: 1.0, 2.0, 3.0)"
        case .headerTooLong(let length, let limit):
            return "header length \(length) bytes exceeds the limit of \(limit) bytes"
        case .truncated(let section, let expected, let found):
            return "truncated \(section.rawValue): expected \(expected) bytes, found \(found)"
        case .malformedHeader(let reason, let offset):
            return "malformed header at byte \(offset) of the header text: \(reason)"
        case .headerNotADictionary(let found):
            return "header is not a dictionary: \(found)"
        case .missingKey(let key):
            return "header is missing the key '\(key)'"
        case .duplicateKey(let key):
            return "header has the key '\(key)' more than once"
        case .unknownKey(let key):
            return "header has an unexpected key \(key) (allowed: 'descr', 'fortran_order', 'shape')"
        case .invalidFortranOrder(let found):
            return "fortran_order must be True or False, found \(found)"
        case .invalidShape(let found):
            return "shape must be a tuple of non-negative integers, found \(found)"
        case .tooManyDimensions(let count, let limit):
            return "shape has \(count) dimensions, more than the limit of \(limit)"
        case .sizeOverflow(let shape, let itemSize):
            return "array too large: shape \(shape) with \(itemSize)-byte elements needs more than the limit of "
                + "\(Int.max) bytes (as NumPy, counting every non-zero dimension)"
        case .unsupportedDType(let descr, let reason):
            return "unsupported dtype \(descr): \(reason)"
        case .invalidBool(let offset, let value):
            return "invalid bool data: byte \(offset) of the data is \(value), bool bytes must be 0 or 1"
        }
    }
}

private func hexByte(_ byte: UInt8) -> String {
    let digits: [Character] = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}
