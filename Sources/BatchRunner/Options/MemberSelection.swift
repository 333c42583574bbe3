/// Which npz members are processed (`--members`); the rest are copied unchanged.
public struct MemberSelection: Sendable, Hashable {
    /// The selected member keys (entry names without `.npy`), or nil for all members.
    public let names: [String]?

    /// Every member is processed.
    public static let all = MemberSelection(uncheckedNames: nil)

    private init(uncheckedNames: [String]?) { names = uncheckedNames }

    /// Selects these members; each may be given with or without `.npy`. Throws `.usage` when
    /// the list is empty.
    public init(names: [String]) throws {
        let keys = names.map { MemberSelection.memberKey($0.trimmingSpaces) }.filter { !$0.isEmpty }
        guard !keys.isEmpty else {
            throw RunnerError.usage("--members: expected a comma-separated list of member names")
        }
        self.names = keys
    }

    /// Parses `--members a,b.npy,c`.
    public init(parsing text: String) throws {
        try self.init(names: text.split(separator: ",", omittingEmptySubsequences: true).map(String.init))
    }

    /// The key NumPy users index an npz with: the entry name without a final `.npy`.
    public static func memberKey(_ entry: String) -> String {
        entry.hasSuffix(".npy") ? String(entry.dropLast(4)) : entry
    }

    /// True when the member stored as zip entry `entry` is processed.
    public func selects(entry: String) -> Bool {
        guard let names else { return true }
        let key = MemberSelection.memberKey(entry)
        return names.contains { RelativePath.sameBytes($0, key) }
    }
}
