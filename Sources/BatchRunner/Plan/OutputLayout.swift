/// Where a run's outputs go, relative to OUT (contract §4.1).
public enum OutputLayout {
    /// `data/<relpath>`, or `copy-<k>/data/<relpath>` when `copies > 1`.
    public static func dataPath(_ relativePath: String, copy: Int, copies: Int) -> String {
        prefix(copy: copy, copies: copies) + "data/" + relativePath
    }

    /// `masks/<relpath>`, or `copy-<k>/masks/<relpath>` when `copies > 1`.
    public static func maskPath(_ relativePath: String, copy: Int, copies: Int) -> String {
        prefix(copy: copy, copies: copies) + "masks/" + relativePath
    }

    private static func prefix(copy: Int, copies: Int) -> String {
        copies > 1 ? "copy-\(copy)/" : ""
    }
}
