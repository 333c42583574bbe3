import NPYStream

/// The run's tags in temporary names (`TemporaryName`, the one naming) and the clean-up of
/// temporaries a killed run left behind.
///
/// `<tag>` in `.npdrop-tmp-<tag>-<pid>-<n>-<base>` is the 16 lowercase hex digits of the
/// FNV-1a 64 hash of the input relpath the output belongs to (the shard hash), or `manifest`
/// for a manifest or completion record being rewritten.
public enum TempNames {
    /// Every temporary name starts with this.
    public static let prefix = TemporaryName.prefix
    /// The tag of manifest temporaries.
    public static let manifestTag = "manifest"

    /// The tag for outputs of input `relativePath`: its FNV-1a 64 hash in 16 hex digits.
    public static func tag(forInput relativePath: String) -> String {
        let hash = ShardSpec.fnv1a64(relativePath.utf8)
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The temporary name for final base name `base`.
    static func name(tag: String, processID: Int32, sequence: UInt64, base: String) -> String {
        TemporaryName.name(tag: tag, processID: processID, sequence: sequence, base: base)
    }

    /// The parts of a temporary name of a run (tag `manifest` or a shard hash), or nil when
    /// `name` is not one.
    static func parse(_ name: [UInt8]) -> (tag: String, base: [UInt8])? {
        guard let parts = TemporaryName.parse(name),
            parts.tag == manifestTag || (parts.tag.count == 16 && parts.tag.allSatisfy(\.isHexDigit))
        else { return nil }
        return parts
    }

    /// True when a temporary with `tag` belongs to `shard` (every one does when `shard` is nil).
    static func tag(_ tag: String, belongsTo shard: ShardSpec?) -> Bool {
        guard let shard else { return true }
        guard let hash = UInt64(tag, radix: 16) else { return false }
        return Int(hash % UInt64(shard.count)) == shard.index
    }

    /// Removes, below `root` (symlinks not followed), every temporary output file whose tag
    /// belongs to `shard`, and manifest temporaries for `manifestName` and the shard's
    /// completion record (every one of both kinds
    /// when `shard` is nil). Returns how many it removed. Temporaries of other shards are left
    /// alone: those shards may be running right now.
    static func removeLeftovers(under root: String, shard: ShardSpec?, manifestName: String) throws -> Int {
        var removed = 0
        var pending = [root]
        while let directory = pending.popLast() {
            for entry in try RunnerFS.listDirectory(directory, sizes: false) {
                // Names that are not UTF-8 are skipped; a path is built only where it is needed.
                switch entry.kind {
                case .directory:
                    guard let name = UTF8Text.string(validating: entry.name) else { continue }
                    pending.append(directory + "/" + name)
                case .regular:
                    guard let parts = parse(entry.name), let name = UTF8Text.string(validating: entry.name) else {
                        continue
                    }
                    let path = directory + "/" + name
                    let mine =
                        parts.tag == manifestTag
                        ? directory == root
                            && (shard == nil || parts.base == Array(manifestName.utf8)
                                || shard.map { parts.base == Array(ShardCompletion.fileName(of: $0).utf8) } == true)
                        : tag(parts.tag, belongsTo: shard)
                    if mine {
                        try RunnerFS.removeFile(path)
                        removed += 1
                    }
                default:
                    continue
                }
            }
        }
        return removed
    }
}
