/// A value of the Python-literal subset that `.npy` headers are written in.
///
/// Enough of Python to read what real writers emit (`ast.literal_eval` of a dict of strings,
/// bools, ints and tuples), plus lists so that a structured descr can be recognised and refused.
enum PythonLiteral: Hashable {
    case string(String)
    case integer(Int)
    /// An integer whose digits do not fit in `Int`; `negative` keeps its sign.
    case bigInteger(negative: Bool)
    case bool(Bool)
    case none
    case tuple([PythonValue])
    case list([PythonValue])
    case dictionary([PythonDictionaryEntry])
}

/// A parsed literal and the byte range of the header text it came from (for messages).
struct PythonValue: Hashable {
    var literal: PythonLiteral
    var source: Range<Int>
}

/// One `key: value` pair of a dictionary literal, in the order written.
struct PythonDictionaryEntry: Hashable {
    var key: PythonValue
    var value: PythonValue
}

/// How the bytes of a string literal are turned into characters.
enum HeaderTextEncoding {
    /// Versions 1.0 and 2.0: one byte is one character.
    case latin1
    /// Version 3.0.
    case utf8
}

/// Recursive-descent parser for one Python literal over header bytes.
///
/// Accepts any spacing, single or double quotes (with `u`/`r` prefixes), trailing commas,
/// Python 2 `L` suffixes on integers, and trailing padding of whitespace or NUL bytes.
/// Every step consumes input or throws, and nesting is capped, so no input hangs or
/// overflows the stack.
struct PythonLiteralParser {
    /// Deepest nesting of brackets accepted; real headers need 3 (dict, list, tuple).
    static let maxDepth = 16

    private let bytes: [UInt8]
    private let encoding: HeaderTextEncoding
    private var position = 0

    init(bytes: [UInt8], encoding: HeaderTextEncoding) {
        self.bytes = bytes
        self.encoding = encoding
    }

    /// Parses the whole input as one literal followed only by padding.
    static func parse(_ bytes: [UInt8], encoding: HeaderTextEncoding) throws -> PythonValue {
        var parser = PythonLiteralParser(bytes: bytes, encoding: encoding)
        let value = try parser.parseValue(depth: 0)
        parser.skipSpace()
        while parser.position < bytes.count {
            let byte = bytes[parser.position]
            guard isSpace(byte) || byte == 0 else {
                throw parser.error("unexpected \(describe(byte)) after the end of the literal")
            }
            parser.position += 1
        }
        return value
    }

    /// The header text of `range`, shortened and made printable for one-line messages.
    static func displayText(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        let limit = 80
        let clipped = range.count > limit ? range.lowerBound..<(range.lowerBound + limit) : range
        var text = ""
        for byte in bytes[clipped] {
            if byte >= 0x20 && byte < 0x7F {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + String(byte, radix: 16).leftPadded(to: 2)
            }
        }
        return range.count > limit ? text + "..." : text
    }

    private mutating func parseValue(depth: Int) throws -> PythonValue {
        skipSpace()
        guard position < bytes.count else { throw error("header text ended where a value was expected") }
        let start = position
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "("), UInt8(ascii: "["):
            guard depth < Self.maxDepth else { throw error("nested more than \(Self.maxDepth) levels deep") }
            return try parseContainer(open: byte, depth: depth + 1)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return try parseString(start: start, raw: false)
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseInteger()
        case _ where isNameStart(byte):
            let name = readName()
            let next = position < bytes.count ? bytes[position] : 0
            if next == UInt8(ascii: "'") || next == UInt8(ascii: "\"") {
                switch name {
                case "u", "U": return try parseString(start: start, raw: false)
                case "r", "R", "ur", "UR", "uR", "Ur": return try parseString(start: start, raw: true)
                default: throw error("string prefix '\(name)' is not allowed", at: start)
                }
            }
            switch name {
            case "True": return PythonValue(literal: .bool(true), source: start..<position)
            case "False": return PythonValue(literal: .bool(false), source: start..<position)
            case "None": return PythonValue(literal: .none, source: start..<position)
            default: throw error("unexpected name '\(name)'", at: start)
            }
        default:
            throw error("unexpected \(Self.describe(byte))")
        }
    }

    private mutating func parseContainer(open: UInt8, depth: Int) throws -> PythonValue {
        let start = position
        let close: UInt8
        switch open {
        case UInt8(ascii: "{"): close = UInt8(ascii: "}")
        case UInt8(ascii: "("): close = UInt8(ascii: ")")
        default: close = UInt8(ascii: "]")
        }
        position += 1
        var items: [PythonValue] = []
        var entries: [PythonDictionaryEntry] = []
        var sawComma = false
        while true {
            skipSpace()
            guard position < bytes.count else {
                throw error("header text ended inside a bracket opened at byte \(start)")
            }
            if bytes[position] == close {
                position += 1
                break
            }
            if !items.isEmpty || !entries.isEmpty {
                guard bytes[position] == UInt8(ascii: ",") else {
                    throw error(
                        "expected ',' or '\(Character(Unicode.Scalar(close)))', found \(Self.describe(bytes[position]))"
                    )
                }
                position += 1
                sawComma = true
                skipSpace()
                if position < bytes.count && bytes[position] == close {
                    position += 1
                    break
                }
            }
            let item = try parseValue(depth: depth)
            if open == UInt8(ascii: "{") {
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                    throw error("expected ':' after a dictionary key")
                }
                position += 1
                let value = try parseValue(depth: depth)
                entries.append(PythonDictionaryEntry(key: item, value: value))
            } else {
                items.append(item)
            }
        }
        let range = start..<position
        switch open {
        case UInt8(ascii: "{"):
            return PythonValue(literal: .dictionary(entries), source: range)
        case UInt8(ascii: "["):
            return PythonValue(literal: .list(items), source: range)
        default:
            // `(x)` is x in parentheses; only a comma (or `()`) makes a tuple.
            if items.count == 1 && !sawComma {
                return PythonValue(literal: items[0].literal, source: range)
            }
            return PythonValue(literal: .tuple(items), source: range)
        }
    }

    private mutating func parseString(start: Int, raw: Bool) throws -> PythonValue {
        let quote = bytes[position]
        position += 1
        var content: [UInt8] = []
        while true {
            guard position < bytes.count else { throw error("string opened at byte \(start) is not closed") }
            let byte = bytes[position]
            position += 1
            if byte == quote { break }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                throw error("line break inside a string", at: position - 1)
            }
            if byte == UInt8(ascii: "\\") {
                guard position < bytes.count else { throw error("string opened at byte \(start) is not closed") }
                let escaped = bytes[position]
                position += 1
                if raw {
                    content.append(byte)
                    content.append(escaped)
                    continue
                }
                switch escaped {
                case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): content.append(escaped)
                case UInt8(ascii: "n"): content.append(0x0A)
                case UInt8(ascii: "t"): content.append(0x09)
                case UInt8(ascii: "r"): content.append(0x0D)
                case UInt8(ascii: "0"): content.append(0x00)
                case UInt8(ascii: "x"):
                    guard position + 2 <= bytes.count,
                        let high = hexValue(bytes[position]), let low = hexValue(bytes[position + 1])
                    else {
                        throw error("bad \\x escape in a string", at: position - 2)
                    }
                    content.append(high << 4 | low)
                    position += 2
                default:
                    content.append(byte)
                    content.append(escaped)
                }
                continue
            }
            content.append(byte)
        }
        let text: String
        switch encoding {
        case .latin1:
            var scalars = String.UnicodeScalarView()
            for byte in content { scalars.append(Unicode.Scalar(byte)) }
            text = String(scalars)
        case .utf8:
            guard let decoded = String(validating: content, as: UTF8.self) else {
                throw error("string is not valid UTF-8", at: start)
            }
            text = decoded
        }
        return PythonValue(literal: .string(text), source: start..<position)
    }

    private mutating func parseInteger() throws -> PythonValue {
        let start = position
        var negative = false
        if bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            negative = bytes[position] == UInt8(ascii: "-")
            position += 1
            skipSpace()
        }
        let digitsStart = position
        var value = 0
        var overflow = false
        while position < bytes.count, let digit = decimalValue(bytes[position]) {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(digit))
            overflow = overflow || o1 || o2
            value = sum
            position += 1
        }
        guard position > digitsStart else { throw error("expected digits after a sign", at: start) }
        if position < bytes.count {
            let next = bytes[position]
            if next == UInt8(ascii: "L") || next == UInt8(ascii: "l") {
                position += 1  // Python 2 long suffix
            }
            if position < bytes.count && (isNameStart(bytes[position]) || bytes[position] == UInt8(ascii: ".")) {
                throw error("only plain integers are allowed, found \(Self.describe(bytes[position])) after digits")
            }
        }
        let literal: PythonLiteral = overflow ? .bigInteger(negative: negative) : .integer(negative ? -value : value)
        return PythonValue(literal: literal, source: start..<position)
    }

    private mutating func readName() -> String {
        var scalars = String.UnicodeScalarView()
        while position < bytes.count, isNameStart(bytes[position]) || decimalValue(bytes[position]) != nil {
            scalars.append(Unicode.Scalar(bytes[position]))
            position += 1
        }
        return String(scalars)
    }

    private mutating func skipSpace() {
        while position < bytes.count && isSpace(bytes[position]) { position += 1 }
    }

    private func error(_ reason: String, at offset: Int? = nil) -> NPYFormatError {
        .malformedHeader(reason: reason, offset: offset ?? position)
    }

    private static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16).leftPadded(to: 2)
    }
}

private func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
}

private func isNameStart(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
        || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
        || byte == UInt8(ascii: "_")
}

private func decimalValue(_ byte: UInt8) -> UInt8? {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : nil
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    if let digit = decimalValue(byte) { return digit }
    if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f") { return byte - UInt8(ascii: "a") + 10 }
    if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F") { return byte - UInt8(ascii: "A") + 10 }
    return nil
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
