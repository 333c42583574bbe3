/// The canonical line of a record, written as bytes: the fields of `ManifestRecord.fields` in
/// order, no spaces, integers from their digits (a UInt64 seed stays exact), doubles in Swift's
/// shortest round-trip form (`null` for NaN and infinity), text as raw UTF-8 with `"`, `\` and
/// control characters escaped (`\n \r \t \b \f`, else `\u00xx`). The same bytes as `JSONText`.
extension ManifestRecord {
    /// Appends this record's canonical line (without newline) to `out`: the fields in the order
    /// of `ManifestRecord.fields` (the golden-line tests hold the two together), written field
    /// by field without key paths.
    public func encodeLine(into out: inout [UInt8]) {
        typealias W = ManifestLineBytes
        W.key(0, into: &out)
        W.string(input, into: &out)
        W.key(1, into: &out)
        W.optionalString(member, into: &out)
        W.key(2, into: &out)
        W.int(copy, into: &out)
        W.key(3, into: &out)
        W.optionalString(output, into: &out)
        W.key(4, into: &out)
        W.optionalString(mask, into: &out)
        W.key(5, into: &out)
        W.optionalString(outputMember, into: &out)
        W.key(6, into: &out)
        W.optionalString(maskMember, into: &out)
        W.key(7, into: &out)
        W.optionalString(variant, into: &out)
        W.key(8, into: &out)
        W.optionalDouble(rate, into: &out)
        W.key(9, into: &out)
        W.optionalInts(noiseShape, into: &out)
        W.key(10, into: &out)
        W.optionalInts(shape, into: &out)
        W.key(11, into: &out)
        W.optionalString(dtype, into: &out)
        W.key(12, into: &out)
        W.optionalBool(fortranOrder, into: &out)
        W.key(13, into: &out)
        W.uint64(seed, into: &out)
        W.key(14, into: &out)
        W.uint64s(spawnKey, into: &out)
        W.key(15, into: &out)
        W.status(status, into: &out)
        W.key(16, into: &out)
        W.optionalString(error, into: &out)
        W.key(17, into: &out)
        W.optionalString(noiseShapeSpec, into: &out)
        W.key(18, into: &out)
        W.optionalString(dataFormat, into: &out)
        W.key(19, into: &out)
        W.optionalBool(scale, into: &out)
        W.key(20, into: &out)
        W.optionalString(fill, into: &out)
        W.key(21, into: &out)
        W.optionalString(compression, into: &out)
        W.key(22, into: &out)
        W.optionalInt(compressionLevel, into: &out)
        W.key(23, into: &out)
        W.optionalInt(deflateBlockSize, into: &out)
        W.key(24, into: &out)
        W.optionalString(rng, into: &out)
        W.key(25, into: &out)
        W.optionalInt(kerasCall, into: &out)
        W.key(26, into: &out)
        W.optionalBool(kerasLayer, into: &out)
        W.key(27, into: &out)
        W.optionalString(outputDType, into: &out)
        W.key(28, into: &out)
        W.optionalString(deflateEngine, into: &out)
        W.key(29, into: &out)
        W.optionalString(isalVersion, into: &out)
        W.key(30, into: &out)
        W.optionalString(isalCheck, into: &out)
        W.key(31, into: &out)
        W.optionalString(npdropVersion, into: &out)
        W.key(32, into: &out)
        W.optionalString(reason, into: &out)
        W.key(33, into: &out)
        W.optionalInt64(inputSize, into: &out)
        W.key(34, into: &out)
        W.optionalInt64(inputMtimeNs, into: &out)
        W.key(35, into: &out)
        W.optionalUInt32(inputCRC32C, into: &out)
        W.key(36, into: &out)
        W.optionalInt64(outputSize, into: &out)
        W.key(37, into: &out)
        W.optionalUInt32(outputCRC32C, into: &out)
        W.key(38, into: &out)
        W.optionalInt64(maskSize, into: &out)
        W.key(39, into: &out)
        W.optionalUInt32(maskCRC32C, into: &out)
        W.key(40, into: &out)
        W.optionalString(maskFormat, into: &out)
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

    /// `{"name":` for the first field, `,"name":` for the others, in `ManifestRecord.fields` order.
    static let keys: [[UInt8]] = ManifestRecord.fields.enumerated().map { index, field in
        [index == 0 ? UInt8(ascii: "{") : UInt8(ascii: ",")] + field.keyBytes
    }

    @inline(__always)
    static func key(_ index: Int, into out: inout [UInt8]) { out.append(contentsOf: keys[index]) }

    static func optionalString(_ value: String?, into out: inout [UInt8]) {
        if let value { string(value, into: &out) } else { null(into: &out) }
    }

    static func int(_ value: Int, into out: inout [UInt8]) { integer(Int64(value), into: &out) }

    static func optionalInt(_ value: Int?, into out: inout [UInt8]) {
        if let value { integer(Int64(value), into: &out) } else { null(into: &out) }
    }

    static func optionalInt64(_ value: Int64?, into out: inout [UInt8]) {
        if let value { integer(value, into: &out) } else { null(into: &out) }
    }

    static func optionalUInt32(_ value: UInt32?, into out: inout [UInt8]) {
        if let value { unsigned(UInt64(value), into: &out) } else { null(into: &out) }
    }

    static func uint64(_ value: UInt64, into out: inout [UInt8]) { unsigned(value, into: &out) }

    static func uint64s(_ values: [UInt64], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            unsigned(value, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    static func optionalInts(_ values: [Int]?, into out: inout [UInt8]) {
        guard let values else { return null(into: &out) }
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            integer(Int64(value), into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Swift's shortest round-trip form; `null` for nil, NaN and infinity.
    static func optionalDouble(_ value: Double?, into out: inout [UInt8]) {
        if let value, value.isFinite { out.append(contentsOf: value.description.utf8) } else { null(into: &out) }
    }

    static func optionalBool(_ value: Bool?, into out: inout [UInt8]) {
        switch value {
        case true?: out.append(contentsOf: trueBytes)
        case false?: out.append(contentsOf: falseBytes)
        case nil: null(into: &out)
        }
    }

    static func status(_ value: ManifestRecord.Status, into out: inout [UInt8]) { string(value.rawValue, into: &out) }

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
