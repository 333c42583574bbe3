/// The canonical line of a record, written as bytes: the fields of `ManifestRecord.fields` in
/// order, no spaces, integers from their digits (a UInt64 seed stays exact), doubles in Swift's
/// shortest round-trip form (`null` for NaN and infinity), text as raw UTF-8 with `"`, `\` and
/// control characters escaped (`\n \r \t \b \f`, else `\u00xx`). The same bytes as `JSONText`.
extension ManifestRecord {
    /// Appends this record's canonical line (without newline) to `out`.
    public func encodeLine(into out: inout [UInt8]) {
        // The key paths are applied to a variable: applied to `self` each one copied the whole
        // record (retaining every string) for every field.
        var record = self
        record.encodeFields(into: &out)
    }

    private mutating func encodeFields(into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for field in ManifestRecord.fields {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: field.keyBytes)
            switch field.value {
            case .string(let path): ManifestLineBytes.string(self[keyPath: path], into: &out)
            case .optionalString(let path):
                if let value = self[keyPath: path] {
                    ManifestLineBytes.string(value, into: &out)
                } else {
                    ManifestLineBytes.null(into: &out)
                }
            case .int(let path): ManifestLineBytes.integer(Int64(self[keyPath: path]), into: &out)
            case .optionalInt(let path):
                if let value = self[keyPath: path] {
                    ManifestLineBytes.integer(Int64(value), into: &out)
                } else {
                    ManifestLineBytes.null(into: &out)
                }
            case .optionalInt64(let path):
                if let value = self[keyPath: path] {
                    ManifestLineBytes.integer(value, into: &out)
                } else {
                    ManifestLineBytes.null(into: &out)
                }
            case .optionalUInt32(let path):
                if let value = self[keyPath: path] {
                    ManifestLineBytes.unsigned(UInt64(value), into: &out)
                } else {
                    ManifestLineBytes.null(into: &out)
                }
            case .uint64(let path): ManifestLineBytes.unsigned(self[keyPath: path], into: &out)
            case .uint64s(let path):
                let values = self[keyPath: path]
                out.append(UInt8(ascii: "["))
                for (index, value) in values.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    ManifestLineBytes.unsigned(value, into: &out)
                }
                out.append(UInt8(ascii: "]"))
            case .optionalInts(let path):
                guard let values = self[keyPath: path] else { ManifestLineBytes.null(into: &out); continue }
                out.append(UInt8(ascii: "["))
                for (index, value) in values.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    ManifestLineBytes.integer(Int64(value), into: &out)
                }
                out.append(UInt8(ascii: "]"))
            case .optionalDouble(let path):
                if let value = self[keyPath: path], value.isFinite {
                    out.append(contentsOf: value.description.utf8)
                } else {
                    ManifestLineBytes.null(into: &out)
                }
            case .optionalBool(let path):
                switch self[keyPath: path] {
                case true?: out.append(contentsOf: ManifestLineBytes.trueBytes)
                case false?: out.append(contentsOf: ManifestLineBytes.falseBytes)
                case nil: ManifestLineBytes.null(into: &out)
                }
            case .status(let path): ManifestLineBytes.string(self[keyPath: path].rawValue, into: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }
}

/// The JSON value forms of a manifest line, as bytes.
enum ManifestLineBytes {
    static let nullBytes: [UInt8] = Array("null".utf8)
    static let trueBytes: [UInt8] = Array("true".utf8)
    static let falseBytes: [UInt8] = Array("false".utf8)
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    @inline(__always)
    static func null(into out: inout [UInt8]) { out.append(contentsOf: nullBytes) }

    /// The decimal digits of `value`.
    static func unsigned(_ value: UInt64, into out: inout [UInt8]) {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var remaining = value
        var index = start + digits - 1
        while remaining >= 10 {
            out[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: remaining % 10)
            remaining /= 10
            index -= 1
        }
        out[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: remaining)
    }

    /// `-` (for negative values) and the decimal digits of `value`'s magnitude.
    static func integer(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        unsigned(value.magnitude, into: &out)
    }

    /// A JSON string literal for `value`.
    static func string(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                runStart = index + 1
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    out.append(contentsOf: [
                        UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                        hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)],
                    ])
                }
            }
            if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}
