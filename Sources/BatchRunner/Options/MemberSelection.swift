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
        guard !keys.isEmpty else { throw RunnerError.usage("--members: expected a comma-separated list of member names") }
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

/// Resolves the settings of one array: defaults, then the first matching rule, with the
/// fields pinned on the command line winning over rules.
public struct ArraySettingsResolver: Sendable, Hashable {
    /// Built-in defaults, overridden by the config top level, overridden by the command line.
    public let defaults: DropoutSettings
    /// Config rules in order.
    public let rules: [DropoutRule]
    /// Fields given explicitly on the command line: no rule changes them.
    public let pinned: Set<DropoutField>

    /// A resolver; see the properties.
    public init(defaults: DropoutSettings, rules: [DropoutRule] = [], pinned: Set<DropoutField> = []) {
        self.defaults = defaults
        self.rules = rules
        self.pinned = pinned
    }

    /// The first rule that applies to `member` (nil for an `.npy`) of `relativePath`.
    public func rule(relativePath: String, member: String?) -> DropoutRule? {
        rules.first { $0.matches(relativePath: relativePath, member: member) }
    }

    /// The settings of `member` (nil for an `.npy`) of `relativePath`.
    public func settings(relativePath: String, member: String?) -> DropoutSettings {
        guard let rule = rule(relativePath: relativePath, member: member) else { return defaults }
        return rule.overrides.applied(to: defaults, keeping: pinned)
    }
}
