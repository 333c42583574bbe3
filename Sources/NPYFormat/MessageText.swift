/// Makes text that comes from files (descr strings, npz member names, file names) safe to put in a
/// one-line error message.
public enum MessageText {
    /// `text` with every control, format, line- or paragraph-separator, surrogate, private-use and
    /// unassigned scalar written as `\xNN` (up to U+00FF) or `\u{N}`: the result is one line and
    /// holds nothing a terminal acts on (escape sequences, bidi overrides). Other text is unchanged.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            append(scalar, to: &result)
        }
        return result
    }

    /// The one form of every line npdrop writes to stderr: `npdrop: <message>` and a newline,
    /// the message's line breaks turned into spaces and everything else a terminal could act on
    /// escaped as by `escaped` (escaping escaped text changes nothing, so text that is already
    /// escaped may pass through again).
    public static func errorLine(_ message: String) -> String {
        let oneLine = message.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: " ")
        return "npdrop: " + escaped(oneLine) + "\n"
    }

    /// `text` escaped as by `escaped`, in single quotes, clipped to `limit` scalars (`'abc'...`).
    public static func quoted(_ text: String, limit: Int) -> String {
        var result = ""
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if index == limit { return "'" + result + "'..." }
            append(scalar, to: &result)
        }
        return "'" + result + "'"
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
            return true
        default:
            return false
        }
    }

    private static func append(_ scalar: Unicode.Scalar, to result: inout String) {
        guard needsEscape(scalar) else {
            result.unicodeScalars.append(scalar)
            return
        }
        let hex = String(scalar.value, radix: 16)
        result += scalar.value <= 0xFF ? "\\x" + hex.leftPadded(to: 2) : "\\u{" + hex + "}"
    }
}
