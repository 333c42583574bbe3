import NPDropPlatform

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
        if let order = compareContiguous(a, b) { return order < 0 }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// True when `a` and `b` have the same UTF-8 bytes (Swift's `==` also equates canonically
    /// equivalent strings, which are different file names).
    public static func sameBytes(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        if let order = compareContiguous(a, b) { return order == 0 }
        return a.utf8.elementsEqual(b.utf8)
    }

    /// The byte order of two native strings (negative, zero, positive) by `memcmp` of their
    /// contiguous UTF-8; nil when either has no contiguous UTF-8 (a bridged string).
    private static func compareContiguous(_ a: String, _ b: String) -> Int? {
        a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y -> Int in
                let common = min(x.count, y.count)
                if common > 0, let p = x.baseAddress, let q = y.baseAddress {
                    let order = memcmp(p, q, common)
                    if order != 0 { return Int(order) }
                }
                return x.count - y.count
            }
        } ?? nil
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
