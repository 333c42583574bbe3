/// What a run may do with an OUT that already holds files: contract §4.4, "an existing OUT is
/// never silently replaced".
///
/// The top-level entries npdrop writes are `data/`, `masks/`, `copy-<k>/`, `manifest.jsonl`,
/// `manifest-shard-<I>-of-<N>.jsonl`, shard state records (`manifest-shard-<I>-of-<N>.state.json`), its
/// temporaries (`.npdrop-tmp-...`) and lock files (`.npdrop-lock...`, always ignored here).
/// Anything else is the user's.
public enum ExistingOutput {
    /// What the command line asked for.
    public enum Policy: Sendable, Hashable {
        /// Neither flag: OUT must be empty (a shard accepts the other shards' outputs of its set).
        case refuse
        /// `--resume`: continue the run OUT holds.
        case resume
        /// `--overwrite`: remove what an earlier run wrote, then run.
        case overwrite
    }

    /// The top-level entries of `directory` other than lock files, sorted.
    static func entries(of directory: String) throws -> [(name: String, kind: FileEntryKind)] {
        var result: [(name: String, kind: FileEntryKind)] = []
        for entry in try RunnerFS.listDirectory(directory) where !OutputLock.isLockName(entry.name) {
            result.append((String(decoding: entry.name, as: UTF8.self), entry.kind))
        }
        return result.sorted { RelativePath.precedes($0.name, $1.name) }
    }

    /// True when `name` (a top-level entry of OUT, of `kind`) is something npdrop writes.
    static func isWrittenByNPDrop(_ name: String, kind: FileEntryKind) -> Bool {
        if kind == .directory {
            if name == "data" || name == "masks" { return true }
            if name.hasPrefix("copy-") {
                let digits = name.dropFirst("copy-".count)
                return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
            }
            return false
        }
        guard case .regular = kind else { return false }
        if name.hasPrefix(TempNames.prefix) { return true }
        if name == ManifestFiles.mainName { return true }
        return name.hasPrefix("manifest-shard-") && (name.hasSuffix(".jsonl") || name.hasSuffix(".json"))
    }

    /// Applies `policy` to OUT (`directory`, canonical; `shownOutput` as typed) for a run of
    /// `shard` (nil: unsharded) writing `manifestName`. Throws `.usage` (exit 2) with OUT
    /// untouched when OUT holds files and neither flag allows it, or when `--overwrite` finds
    /// an entry npdrop did not write; with `.overwrite` removes every entry npdrop wrote.
    /// Returns the names removed.
    @discardableResult
    public static func prepare(
        _ directory: String, shownOutput: String, policy: Policy, shard: ShardSpec?,
        manifestName: String
    ) throws -> [String] {
        let found = try entries(of: directory)
        if found.isEmpty { return [] }
        let foreign = found.filter { !isWrittenByNPDrop($0.name, kind: $0.kind) }
        switch policy {
        case .resume:
            return []
        case .overwrite:
            if let first = foreign.first {
                throw RunnerError.usage(
                    "--overwrite: OUT '\(shownOutput)' holds '\(first.name)', which npdrop did not write; nothing was removed (move it away or choose another OUT)"
                )
            }
            for entry in found { try RunnerFS.removeTree(RelativePath.join(directory, entry.name)) }
            return found.map(\.name)
        case .refuse:
            if let first = foreign.first {
                throw RunnerError.usage(
                    "OUT '\(shownOutput)' is not empty and holds '\(first.name)', which npdrop did not write; choose an empty or new OUT"
                )
            }
            if let shard {
                // Shards of one set fill the same OUT: the others' outputs and manifests are expected.
                let blocking = found.filter { entry in
                    if entry.kind == .directory || entry.name.hasPrefix(TempNames.prefix) { return false }
                    guard entry.name.hasPrefix("manifest-shard-") else { return true }
                    return entry.name.hasPrefix("manifest-shard-\(shard.index)-of-\(shard.count).")
                        || !entry.name.contains("-of-\(shard.count).")
                }
                guard let first = blocking.first else { return [] }
                throw RunnerError.usage(
                    "OUT '\(shownOutput)' already holds '\(first.name)' from an earlier run; pass --resume to finish shard \(shard) with the same settings (or empty OUT before starting the shards)"
                )
            }
            let shown = found.prefix(3).map { $0.kind == .directory ? $0.name + "/" : $0.name }.joined(separator: ", ")
            throw RunnerError.usage(
                "OUT '\(shownOutput)' already holds an earlier run (\(shown)\(found.count > 3 ? ", ..." : "")); pass --resume to finish it with the same settings, or --overwrite to replace it"
            )
        }
    }
}
