/// A merge refused because some shard is not complete: what `status` says about each, and the
/// closing line. The CLI prints every line and exits 1.
public struct IncompleteShards: Error, CustomStringConvertible, Sendable, Equatable {
    /// One line per shard that is not complete, then the closing line.
    public var lines: [String]

    /// The lines, joined with "; ".
    public var description: String { lines.joined(separator: "; ") }
}
