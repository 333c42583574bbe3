import DropoutEngine
import Foundation

/// One config rule: for arrays whose relpath (and npz member) match, these settings replace the
/// defaults — except settings given explicitly on the command line.
public struct DropoutRule: Sendable, Hashable {
    /// Glob on the input relpath.
    public var match: GlobPattern
    /// Glob on the npz member (entry name, or entry name without `.npy`); nil matches every
    /// array of a matching file, including a plain `.npy`.
    public var member: GlobPattern?
    /// The settings this rule sets.
    public var overrides: DropoutOverrides

    /// A rule; see the properties.
    public init(match: GlobPattern, member: GlobPattern? = nil, overrides: DropoutOverrides) {
        self.match = match
        self.member = member
        self.overrides = overrides
    }

    /// True when this rule applies to the array `member` (nil for an `.npy`) of `relativePath`.
    /// A rule with a member glob never applies to an `.npy` file.
    public func matches(relativePath: String, member entry: String?) -> Bool {
        guard match.matches(relativePath) else { return false }
        guard let member else { return true }
        guard let entry else { return false }
        return member.matches(entry) || member.matches(MemberSelection.memberKey(entry))
    }
}
