/// The runner's own JSON text writer: fixed field order, integers written from their digits
/// (a UInt64 seed stays exact), doubles in Swift's shortest round-trip form, non-ASCII text
/// as raw UTF-8. The same value always gives the same bytes.
public enum JSONText {
    /// A JSON string literal for `value`.
    public static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    public static func string(_ value: String?) -> String { value.map { string($0) } ?? "null" }

    /// A number; `null` for NaN or infinity (which JSON cannot hold).
    public static func number(_ value: Double) -> String { value.isFinite ? value.description : "null" }

    public static func number(_ value: Double?) -> String { value.map { number($0) } ?? "null" }

    public static func integer<T: BinaryInteger>(_ value: T) -> String { String(value) }

    public static func bool(_ value: Bool?) -> String { value.map { $0 ? "true" : "false" } ?? "null" }

    public static func integers<T: BinaryInteger>(_ values: [T]?) -> String {
        guard let values else { return "null" }
        return "[" + values.map { String($0) }.joined(separator: ",") + "]"
    }

    /// `{"k1":v1,"k2":v2}` from already-encoded values, in the given order.
    public static func object(_ fields: KeyValuePairs<String, String>) -> String {
        "{" + fields.map { string($0.key) + ":" + $0.value }.joined(separator: ",") + "}"
    }

    public static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}
