/// Strings from bytes that must be valid UTF-8 (file names, manifest values), with a fast path
/// for ASCII, the common case: the same result as `String(validating:as:)`, whose generic
/// validation costs about a microsecond a string.
enum UTF8Text {
    /// The string of `bytes`; nil when they are not valid UTF-8.
    static func string(validating bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The string of `bytes`; nil when they are not valid UTF-8.
    static func string(validating bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { string(validating: $0) }
    }

    /// True when every byte is below 0x80.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var high: UInt8 = 0
        for byte in bytes { high |= byte }
        return high < 0x80
    }
}
