import NPDropPlatform

/// A strict parser of the canonical line form (`encodeLine(into:)`): every field of
/// `ManifestRecord.fields` in order, no spaces, each value in the one form the encoder writes.
/// It accepts exactly the lines the encoder can write (so re-encoding gives the same bytes) and
/// returns nil for anything else — other JSON (spaces, key order, `\/`, `1E5`, …) is then read
/// by Foundation's `JSONDecoder` (`ManifestFiles.decode(line:)`). Bounded by the line: no
/// allocation beyond the record's own values, no recursion.
extension ManifestRecord {
    /// The record of a canonical line (without newline), or nil when `line` is not one.
    static func decodeCanonicalLine(_ line: UnsafeBufferPointer<UInt8>) -> ManifestRecord? {
        var parser = CanonicalLineParser(bytes: line, keeps: nil)
        return parser.record()
    }

    /// `decodeCanonicalLine` that keeps only the identity, seed and status of the record
    /// (`input`, `member`, `copy`, `seed`, `status`; every other property is `blank`'s): the
    /// same grammar, so it accepts exactly the lines `decodeCanonicalLine` accepts, without
    /// building the other values. For the passes over a manifest that only sort, count or
    /// copy its lines.
    static func decodeCanonicalLineKeys(_ line: UnsafeBufferPointer<UInt8>) -> ManifestRecord? {
        var parser = CanonicalLineParser(bytes: line, keeps: keyFieldsKept)
        return parser.record()
    }

    /// `decodeCanonicalLine` that keeps only what `--resume` decides with (`decisionFields`):
    /// the identity, the paths, the settings, the dtype, the status, the reason and the sizes and
    /// times; the arrays (shapes, spawn key), checksums, versions and messages are checked as
    /// strictly but not built.
    static func decodeCanonicalLineDecisions(_ line: UnsafeBufferPointer<UInt8>) -> ManifestRecord? {
        var parser = CanonicalLineParser(bytes: line, keeps: decisionFieldsKept)
        return parser.record()
    }

    /// The fields `decodeCanonicalLineDecisions` keeps.
    static let decisionFields: Set<String> = [
        "input", "member", "copy", "output", "mask", "variant", "rate", "dtype", "seed", "status",
        "noise_shape_spec", "data_format", "scale", "fill", "compression", "compression_level",
        "deflate_block_size", "rng", "keras_call", "keras_layer", "deflate_engine", "reason", "input_size",
        "input_mtime_ns", "output_size", "mask_size", "mask_format",
    ]

    /// Per field of `fields`: the offset of its stored property in the record
    /// (`MemoryLayout.offset(of:)`; nil if it were computed).
    fileprivate static let storedOffsets: [Int?] = fields.map { field in
        switch field.value {
        case .string(let path): MemoryLayout<ManifestRecord>.offset(of: path)
        case .optionalString(let path): MemoryLayout<ManifestRecord>.offset(of: path)
        case .int(let path): MemoryLayout<ManifestRecord>.offset(of: path)
        case .optionalInt(let path): MemoryLayout<ManifestRecord>.offset(of: path)
        case .optionalInt64(let path): MemoryLayout<ManifestRecord>.offset(of: path)
        case .optionalUInt32(let path): MemoryLayout<ManifestRecord>.offset(of: path)
        case .uint64(let path): MemoryLayout<ManifestRecord>.offset(of: path)
        case .uint64s(let path): MemoryLayout<ManifestRecord>.offset(of: path)
        case .optionalInts(let path): MemoryLayout<ManifestRecord>.offset(of: path)
        case .optionalDouble(let path): MemoryLayout<ManifestRecord>.offset(of: path)
        case .optionalBool(let path): MemoryLayout<ManifestRecord>.offset(of: path)
        case .status(let path): MemoryLayout<ManifestRecord>.offset(of: path)
        }
    }

    /// Per field of `fields`: kept by `decodeCanonicalLineKeys`.
    private static let keyFieldsKept: [Bool] = fields.map {
        ["input", "member", "copy", "seed", "status"].contains($0.name)
    }

    /// Per field of `fields`: kept by `decodeCanonicalLineDecisions`.
    private static let decisionFieldsKept: [Bool] = fields.map { decisionFields.contains($0.name) }
}

private struct CanonicalLineParser {
    let bytes: UnsafeBufferPointer<UInt8>
    /// Per field: its value is stored in the record (nil: every field). A value not stored is
    /// still checked as strictly.
    let keeps: [Bool]?
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>, keeps: [Bool]?) {
        self.bytes = bytes
        self.keeps = keeps
    }

    mutating func record() -> ManifestRecord? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var record = ManifestRecord.blank
        for (position, field) in ManifestRecord.fields.enumerated() {
            let offset = ManifestRecord.storedOffsets[position]
            if position > 0 { guard take(UInt8(ascii: ",")) else { return nil } }
            guard take(field.keyBytes) else { return nil }
            if let keeps, !keeps[position] {
                guard skipValue(field.value) else { return nil }
                continue
            }
            switch field.value {
            case .string(let path):
                guard let value = string() else { return nil }
                store(value, path, offset, &record)
            case .optionalString(let path):
                if takeNull() { store(nil, path, offset, &record); continue }
                guard let value = string() else { return nil }
                store(value, path, offset, &record)
            case .int(let path):
                guard let value = signed(), let int = Int(exactly: value) else { return nil }
                store(int, path, offset, &record)
            case .optionalInt(let path):
                if takeNull() { store(nil, path, offset, &record); continue }
                guard let value = signed(), let int = Int(exactly: value) else { return nil }
                store(int, path, offset, &record)
            case .optionalInt64(let path):
                if takeNull() { store(nil, path, offset, &record); continue }
                guard let value = signed() else { return nil }
                store(value, path, offset, &record)
            case .optionalUInt32(let path):
                if takeNull() { store(nil, path, offset, &record); continue }
                guard let value = unsigned(), let small = UInt32(exactly: value) else { return nil }
                store(small, path, offset, &record)
            case .uint64(let path):
                guard let value = unsigned() else { return nil }
                store(value, path, offset, &record)
            case .uint64s(let path):
                guard take(UInt8(ascii: "[")) else { return nil }
                var values: [UInt64] = []
                if !take(UInt8(ascii: "]")) {
                    repeat {
                        guard let value = unsigned() else { return nil }
                        values.append(value)
                    } while take(UInt8(ascii: ","))
                    guard take(UInt8(ascii: "]")) else { return nil }
                }
                store(values, path, offset, &record)
            case .optionalInts(let path):
                if takeNull() { store(nil, path, offset, &record); continue }
                guard take(UInt8(ascii: "[")) else { return nil }
                var values: [Int] = []
                if !take(UInt8(ascii: "]")) {
                    repeat {
                        guard let value = signed(), let int = Int(exactly: value) else { return nil }
                        values.append(int)
                    } while take(UInt8(ascii: ","))
                    guard take(UInt8(ascii: "]")) else { return nil }
                }
                store(values, path, offset, &record)
            case .optionalDouble(let path):
                if takeNull() { store(nil, path, offset, &record); continue }
                guard let value = double() else { return nil }
                store(value, path, offset, &record)
            case .optionalBool(let path):
                if takeNull() {
                    store(nil, path, offset, &record)
                } else if take(ManifestLineBytes.trueBytes) {
                    store(true, path, offset, &record)
                } else if take(ManifestLineBytes.falseBytes) {
                    store(false, path, offset, &record)
                } else {
                    return nil
                }
            case .status(let path):
                guard let text = string(), let status = ManifestRecord.Status(rawValue: text) else { return nil }
                store(status, path, offset, &record)
            }
        }
        guard take(UInt8(ascii: "}")), index == bytes.count else { return nil }
        return record
    }

    /// Sets the property `path` of `record` to `value`, through its storage (`offset`, from
    /// `MemoryLayout.offset(of:)`) when it has one: the key path's generic setter costs several
    /// hundred instructions a field.
    private func store<T>(
        _ value: T, _ path: WritableKeyPath<ManifestRecord, T>, _ offset: Int?, _ record: inout ManifestRecord
    ) {
        guard let offset else {
            record[keyPath: path] = value
            return
        }
        withUnsafeMutableBytes(of: &record) { raw in
            (raw.baseAddress! + offset).assumingMemoryBound(to: T.self).pointee = value
        }
    }

    /// Checks the value of a field of kind `kind` as `record()` would read it, without storing it.
    private mutating func skipValue(_ kind: ManifestRecord.FieldValue) -> Bool {
        switch kind {
        case .string:
            return skipString()
        case .status:
            return string().flatMap { ManifestRecord.Status(rawValue: $0) } != nil
        case .optionalString:
            return takeNull() || skipString()
        case .int:
            return signed().flatMap { Int(exactly: $0) } != nil
        case .optionalInt:
            return takeNull() || signed().flatMap { Int(exactly: $0) } != nil
        case .optionalInt64:
            return takeNull() || signed() != nil
        case .optionalUInt32:
            return takeNull() || unsigned().flatMap { UInt32(exactly: $0) } != nil
        case .uint64:
            return unsigned() != nil
        case .uint64s, .optionalInts:
            if case .optionalInts = kind, takeNull() { return true }
            guard take(UInt8(ascii: "[")) else { return false }
            if take(UInt8(ascii: "]")) { return true }
            repeat {
                if case .uint64s = kind {
                    guard unsigned() != nil else { return false }
                } else {
                    guard signed().flatMap({ Int(exactly: $0) }) != nil else { return false }
                }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]"))
        case .optionalDouble:
            return takeNull() || double() != nil
        case .optionalBool:
            return takeNull() || take(ManifestLineBytes.trueBytes) || take(ManifestLineBytes.falseBytes)
        }
    }

    /// Checks a string literal as `string()` reads it without building it: plain ASCII up to
    /// the closing quote is checked here, anything else (escapes, non-ASCII) by `string()`.
    private mutating func skipString() -> Bool {
        let start = index
        guard take(UInt8(ascii: "\"")) else { return false }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return true
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            index += 1
        }
        index = start
        return string() != nil
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func take(_ literal: [UInt8]) -> Bool {
        guard bytes.count - index >= literal.count else { return false }
        let index = index
        let same = literal.withUnsafeBufferPointer { literal in
            guard let base = bytes.baseAddress, let expected = literal.baseAddress else { return literal.isEmpty }
            return memcmp(base + index, expected, literal.count) == 0
        }
        guard same else { return false }
        self.index += literal.count
        return true
    }

    private mutating func takeNull() -> Bool { take(ManifestLineBytes.nullBytes) }

    /// Digits without a leading zero (`0` alone is fine); nil on overflow.
    private mutating func unsigned() -> UInt64? {
        let start = index
        var value: UInt64 = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = sum
            index += 1
        }
        let count = index - start
        guard count > 0, count == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        return value
    }

    /// `-` and digits (never `-0`), or digits, within Int64.
    private mutating func signed() -> Int64? {
        if take(UInt8(ascii: "-")) {
            guard let magnitude = unsigned(), magnitude > 0, magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard let value = unsigned() else { return nil }
        return Int64(exactly: value)
    }

    /// A finite number written exactly as `Double.description` writes it.
    private mutating func double() -> Double? {
        let start = index
        while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
        guard index > start, index - start <= 32 else { return nil }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite, value.description == text else { return nil }
        return value
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
    }

    /// A string literal as the encoder writes it: raw UTF-8 except `"`, `\` and control bytes,
    /// which are escaped (`\n \r \t \b \f`, else lowercase `\u00xx`). Nil for anything else
    /// (other escapes, raw control bytes, invalid UTF-8).
    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        // Fast path: no escape.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let value = UTF8Text.string(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                index += 1
                return value
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            index += 1
        }
        var text = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return String(validating: text, as: UTF8.self) }
            if byte < 0x20 { return nil }
            guard byte == UInt8(ascii: "\\") else {
                text.append(byte)
                continue
            }
            guard index < bytes.count else { return nil }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): text.append(escape)
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "r"): text.append(0x0D)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0C)
            case UInt8(ascii: "u"):
                guard bytes.count - index >= 4, bytes[index] == UInt8(ascii: "0"),
                    bytes[index + 1] == UInt8(ascii: "0"),
                    let high = Self.hexValue(bytes[index + 2]), high <= 1, let low = Self.hexValue(bytes[index + 3])
                else { return nil }
                let value = high << 4 | low
                // The short escapes are the canonical form of these.
                guard ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(value) else { return nil }
                text.append(value)
                index += 4
            default:
                return nil
            }
        }
        return nil
    }

    /// 0–15 for a lowercase hex digit.
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
