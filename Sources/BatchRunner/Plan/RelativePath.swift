/// Rules for the `/`-separated relative paths the runner records and joins under OUT.
public enum RelativePath {
    /// True when `path` is non-empty, relative, has no empty, `.` or `..` component and no NUL:
    /// joined under a root it can never leave that root.
    public static func isSafe(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(0) else { return false }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty || component == "." || component == ".." { return false }
        }
        return true
    }

    /// Byte-wise order of the UTF-8 encodings: the order of every sorted list the runner
    /// writes (Python: `sorted(paths, key=lambda p: p.encode())`).
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// True when `a` and `b` have the same UTF-8 bytes (Swift's `==` also equates canonically
    /// equivalent strings, which are different file names).
    public static func sameBytes(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }

    /// `root + "/" + relative`.
    static func join(_ root: String, _ relative: String) -> String {
        root.hasSuffix("/") ? root + relative : root + "/" + relative
    }

    /// The base name (last component) of a `/`-separated path.
    static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// The directory part of a `/`-separated path ("" when there is none).
    static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }
}
