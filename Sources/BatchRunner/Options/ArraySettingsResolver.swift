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
