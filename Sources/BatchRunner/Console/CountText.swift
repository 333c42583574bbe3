/// A count with its noun in the right number: `1 file`, `2 files`, `1 mismatch`, `3 mismatches`.
public enum CountText {
    /// `count` and `singular`, or `plural` (default: `singular` + "s") when `count` is not 1.
    public static func of(_ count: Int, _ singular: String, plural: String? = nil) -> String {
        "\(count) " + (count == 1 ? singular : plural ?? singular + "s")
    }
}
