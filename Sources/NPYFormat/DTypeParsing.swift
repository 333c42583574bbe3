extension DType {
    /// Parses a NumPy descr string such as `<f4`, `|b1`, `>c16`, `?`, `f8` or `<u1`.
    ///
    /// Accepts the order characters `<` (little), `>` (big), `=` and `|` (this machine's
    /// order; ignored for one-byte types) or none (this machine's order), followed by a kind
    /// and size (`b1 i1 i2 i4 i8 u1 u2 u4 u8 f2 f4 f8 c8 c16`) or a fixed-size NumPy type
    /// character (`? b B h H i I q Q e f d F D`).
    /// Throws `NPYFormatError.unsupportedDType` naming the kind for object (pickle), string,
    /// unicode, datetime, timedelta, void and long-double types, and for anything else.
    public static func parse(descr: String) throws -> DType {
        let quoted = MessageText.quoted(descr, limit: 40)
        var bytes = Array(descr.utf8)
        var order: ByteOrder = .host
        if let first = bytes.first {
            switch first {
            case UInt8(ascii: "<"): order = .little
            case UInt8(ascii: ">"): order = .big
            case UInt8(ascii: "="), UInt8(ascii: "|"): order = .host
            default: break
            }
            if "<>=|".utf8.contains(first) { bytes.removeFirst() }
        }
        guard let code = bytes.first else {
            throw NPYFormatError.unsupportedDType(descr: quoted, reason: "empty type code")
        }
        let sizeDigits = bytes.dropFirst()
        if let refusal = refusalReason(code: code, sizeDigits: sizeDigits) {
            throw NPYFormatError.unsupportedDType(descr: quoted, reason: refusal)
        }
        guard let kindAndSize = kindAndSize(code: code, sizeDigits: sizeDigits) else {
            throw NPYFormatError.unsupportedDType(descr: quoted, reason: "not a NumPy dtype npdrop knows")
        }
        return DType(kind: kindAndSize.kind, itemSize: kindAndSize.size, byteOrder: order)
    }
}

/// Why a descr of a known-but-refused kind is refused, or nil when it is not one of those.
private func refusalReason(code: UInt8, sizeDigits: ArraySlice<UInt8>) -> String? {
    let size = decimalNumber(sizeDigits)
    switch code {
    case UInt8(ascii: "O"):
        return "object dtype (pickle); npdrop never loads pickles"
    case UInt8(ascii: "S"), UInt8(ascii: "a"), UInt8(ascii: "T"):
        return "string dtype is not supported"
    case UInt8(ascii: "c") where sizeDigits.isEmpty:
        return "string dtype is not supported"
    case UInt8(ascii: "U"):
        return "unicode dtype is not supported"
    case UInt8(ascii: "M"):
        return "datetime dtype is not supported"
    case UInt8(ascii: "m"):
        return "timedelta dtype is not supported"
    case UInt8(ascii: "V"):
        return "void dtype is not supported"
    case UInt8(ascii: "g"), UInt8(ascii: "G"):
        return "long double dtype is not supported"
    case UInt8(ascii: "f") where size == 10 || size == 12 || size == 16:
        return "long double dtype is not supported"
    case UInt8(ascii: "c") where size == 20 || size == 24 || size == 32:
        return "long double dtype is not supported"
    case UInt8(ascii: "l"), UInt8(ascii: "L"):
        return sizeDigits.isEmpty ? "platform-dependent C long; write it as i4/i8 or u4/u8" : nil
    default:
        return nil
    }
}

/// Kind and item size for the supported descr codes, or nil.
private func kindAndSize(code: UInt8, sizeDigits: ArraySlice<UInt8>) -> (kind: ScalarKind, size: Int)? {
    if sizeDigits.isEmpty {
        switch code {
        case UInt8(ascii: "?"): return (.bool, 1)
        case UInt8(ascii: "b"): return (.signedInteger, 1)
        case UInt8(ascii: "B"): return (.unsignedInteger, 1)
        case UInt8(ascii: "h"): return (.signedInteger, 2)
        case UInt8(ascii: "H"): return (.unsignedInteger, 2)
        case UInt8(ascii: "i"): return (.signedInteger, 4)
        case UInt8(ascii: "I"): return (.unsignedInteger, 4)
        case UInt8(ascii: "q"): return (.signedInteger, 8)
        case UInt8(ascii: "Q"): return (.unsignedInteger, 8)
        case UInt8(ascii: "e"): return (.float, 2)
        case UInt8(ascii: "f"): return (.float, 4)
        case UInt8(ascii: "d"): return (.float, 8)
        case UInt8(ascii: "F"): return (.complex, 8)
        case UInt8(ascii: "D"): return (.complex, 16)
        default: return nil
        }
    }
    guard let size = decimalNumber(sizeDigits) else { return nil }
    switch (code, size) {
    case (UInt8(ascii: "b"), 1): return (.bool, 1)
    case (UInt8(ascii: "i"), 1), (UInt8(ascii: "i"), 2), (UInt8(ascii: "i"), 4), (UInt8(ascii: "i"), 8):
        return (.signedInteger, size)
    case (UInt8(ascii: "u"), 1), (UInt8(ascii: "u"), 2), (UInt8(ascii: "u"), 4), (UInt8(ascii: "u"), 8):
        return (.unsignedInteger, size)
    case (UInt8(ascii: "f"), 2), (UInt8(ascii: "f"), 4), (UInt8(ascii: "f"), 8):
        return (.float, size)
    case (UInt8(ascii: "c"), 8), (UInt8(ascii: "c"), 16):
        return (.complex, size)
    default:
        return nil
    }
}

/// The value of 1 to 4 ASCII digits, or nil for anything else.
private func decimalNumber(_ digits: ArraySlice<UInt8>) -> Int? {
    guard !digits.isEmpty, digits.count <= 4 else { return nil }
    var value = 0
    for byte in digits {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        value = value * 10 + Int(byte - UInt8(ascii: "0"))
    }
    return value
}
