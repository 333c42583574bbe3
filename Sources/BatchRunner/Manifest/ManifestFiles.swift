import Foundation

/// The lines of a manifest file as read back.
public struct ManifestContents: Sendable {
    /// Records in file order (later lines for the same array supersede earlier ones).
    public var records: [ManifestRecord]
    /// The text of each record's line, parallel to `records`.
    public var lines: [String]
    /// Lines that were not a valid record (a killed run's cut-off last line, overlong lines).
    public var invalidLines: Int

    /// The last record of each (input, member, copy) with its line's text, in order of first
    /// appearance.
    var latestEntries: [(record: ManifestRecord, line: String)] {
        var position: [RecordKey: Int] = [:]
        var result: [(record: ManifestRecord, line: String)] = []
        for (record, line) in zip(records, lines) {
            if let index = position[record.key] {
                result[index] = (record, line)
            } else {
                position[record.key] = result.count
                result.append((record, line))
            }
        }
        return result
    }

    /// The last record of each (input, member, copy), in order of first appearance.
    public var latestRecords: [ManifestRecord] {
        var position: [RecordKey: Int] = [:]
        var result: [ManifestRecord] = []
        for record in records {
            if let index = position[record.key] {
                result[index] = record
            } else {
                position[record.key] = result.count
                result.append(record)
            }
        }
        return result
    }
}

/// Reading, writing and merging `manifest*.jsonl` files.
///
/// During a run, records are appended to the run's manifest (one `write(2)` per finished file
/// task) in completion order, so a killed run leaves a valid JSON Lines file of what finished
/// (at worst a cut-off last line, which readers skip; later lines for the same array win).
/// At the end the file is rewritten atomically, sorted by `ManifestRecord.precedes`.
public enum ManifestFiles {
    /// The manifest of an unsharded run, and the merged manifest of a sharded one.
    public static let mainName = "manifest.jsonl"
    /// Longest line read back (longer lines count as invalid).
    static let maxLineBytes = 1 << 20

    /// The lines of `records` in canonical form, each followed by `\n`.
    public static func encode(_ records: [ManifestRecord]) -> [UInt8] {
        var bytes: [UInt8] = []
        for record in records {
            record.encodeLine(into: &bytes)
            bytes.append(0x0A)
        }
        return bytes
    }

    /// Parses one line; nil when it is not a valid record. A line in canonical form (as npdrop
    /// writes it) is read by the strict byte parser; any other line by Foundation's JSONDecoder.
    public static func decode(line: some Collection<UInt8>) -> ManifestRecord? {
        let canonical =
            line.withContiguousStorageIfAvailable { ManifestRecord.decodeCanonicalLine($0) }
            ?? Array(line).withUnsafeBufferPointer { ManifestRecord.decodeCanonicalLine($0) }
        if let canonical { return canonical }
        return try? JSONDecoder().decode(ManifestRecord.self, from: Data(line))
    }

    /// What one line of a manifest holds.
    enum ParsedLine {
        /// Only spaces, tabs or CRs: ignored.
        case blank
        /// Not a record (cut off, not JSON, not UTF-8): counted.
        case invalid
        case record(ManifestRecord)
    }

    /// Reads one line (without newline) as `read(path:)` does.
    static func parse(line: some Collection<UInt8>) -> ParsedLine {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return .blank }
        if let record = line.withContiguousStorageIfAvailable({ ManifestRecord.decodeCanonicalLine($0) }) ?? nil {
            return .record(record)  // canonical lines are valid UTF-8
        }
        guard let record = decode(line: line), String(validating: line, as: UTF8.self) != nil else { return .invalid }
        return .record(record)
    }

    /// `parse(line:)` for the passes that only sort, count or copy lines: a canonical line's
    /// record holds only its identity, seed and status (`decodeCanonicalLineKeys`); any other
    /// line is read whole by `parse(line:)`. Blank, invalid and valid lines are the same as
    /// `parse(line:)`'s.
    static func parseKeys(line: UnsafeBufferPointer<UInt8>) -> ParsedLine {
        if let record = ManifestRecord.decodeCanonicalLineKeys(line) { return .record(record) }
        return parse(line: line)
    }

    /// Reads the manifest at `path`; nil when there is no such file. Invalid lines are counted,
    /// not fatal.
    public static func read(path: String) throws -> ManifestContents? {
        var contents = ManifestContents(records: [], lines: [], invalidLines: 0)
        let overlong = try RunnerFS.forEachLine(in: path, maxLineBytes: maxLineBytes) { line, _ in
            switch parse(line: line) {
            case .blank: return
            case .invalid: contents.invalidLines += 1
            case .record(let record):
                contents.records.append(record)
                contents.lines.append(String(decoding: line, as: UTF8.self))
            }
        }
        guard let overlong else { return nil }
        contents.invalidLines += overlong
        return contents
    }

    /// Sorts `records` into manifest order.
    public static func sorted(_ records: [ManifestRecord]) -> [ManifestRecord] {
        records.sorted(by: ManifestRecord.precedes)
    }

    /// Replaces `path` atomically with `records` sorted into manifest order (synced as every
    /// output with `sync`).
    public static func writeSorted(_ records: [ManifestRecord], to path: String, sync: Bool = false) throws {
        try RunnerFS.writeFileAtomically(
            path, bytes: encode(sorted(records)), tempTag: TempNames.manifestTag, sync: sync)
    }

    /// The shard manifests in `outputDirectory`, by shard, sorted by index.
    public static func shardManifests(in outputDirectory: String) throws -> [(shard: ShardSpec, path: String)] {
        var found: [(shard: ShardSpec, path: String)] = []
        for entry in try RunnerFS.listDirectory(outputDirectory) {
            guard case .regular = entry.kind, let name = String(validating: entry.name, as: UTF8.self),
                name.hasPrefix("manifest-shard-"), name.hasSuffix(".jsonl")
            else { continue }
            let middle = name.dropFirst("manifest-shard-".count).dropLast(".jsonl".count)
            let parts = middle.components(separatedBy: "-of-")
            guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]),
                let shard = try? ShardSpec(index: index, count: count), shard.manifestName == name
            else { continue }
            found.append((shard, RelativePath.join(outputDirectory, name)))
        }
        return found.sorted { ($0.shard.count, $0.shard.index) < ($1.shard.count, $1.shard.index) }
    }

    /// The shard completion records (`manifest-shard-<I>-of-<N>.state.json`) in
    /// `outputDirectory`, by shard, sorted by index.
    public static func shardCompletionRecords(in outputDirectory: String) throws -> [(shard: ShardSpec, path: String)] {
        var found: [(shard: ShardSpec, path: String)] = []
        for entry in try RunnerFS.listDirectory(outputDirectory) {
            guard case .regular = entry.kind, let name = String(validating: entry.name, as: UTF8.self),
                name.hasPrefix("manifest-shard-"), name.hasSuffix(".state.json")
            else { continue }
            let middle = name.dropFirst("manifest-shard-".count).dropLast(".state.json".count)
            let parts = middle.components(separatedBy: "-of-")
            guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count > 1,
                let shard = try? ShardSpec(index: index, count: count), ShardCompletion.fileName(of: shard) == name
            else { continue }
            found.append((shard, RelativePath.join(outputDirectory, name)))
        }
        return found.sorted { ($0.shard.count, $0.shard.index) < ($1.shard.count, $1.shard.index) }
    }

    /// Merges `manifest-shard-<I>-of-<N>.jsonl` for every I of one N into `manifest.jsonl`
    /// (atomically), keeping each line's bytes and sorting lines into manifest order: the
    /// result equals the manifest of the same run on one machine, byte for byte. Returns the
    /// number of records. Throws `IncompleteShards` (nothing written) when any shard is missing,
    /// unfinished (no completion record saying complete), of other settings or input, or
    /// changed since it completed; `.usage` when OUT holds no shard manifest or several N.
    @discardableResult
    public static func merge(outputDirectory: String) throws -> Int {
        let lock = try OutputLock.acquire(in: outputDirectory, shownOutput: outputDirectory, scope: .exclusive)
        defer { lock.release() }
        let status = try ShardSetStatus.read(outputDirectory: outputDirectory)
        if let refusal = status.refusal { throw IncompleteShards(lines: status.problems + [refusal]) }
        let shards = try shardManifests(in: outputDirectory)
        var entries: [(record: ManifestRecord, line: String)] = []
        var position: [RecordKey: Int] = [:]
        for (_, path) in shards {
            guard let contents = try read(path: path) else { continue }
            guard contents.invalidLines == 0 else {
                throw RunnerError.malformed(
                    path: path,
                    detail:
                        "expected only complete records, found \(contents.invalidLines) invalid line(s) (is that shard still running?)"
                )
            }
            for (record, line) in zip(contents.records, contents.lines) {
                if let index = position[record.key] {
                    entries[index] = (record, line)
                } else {
                    position[record.key] = entries.count
                    entries.append((record, line))
                }
            }
        }
        entries.sort { ManifestRecord.precedes($0.record, $1.record) }
        var bytes: [UInt8] = []
        for entry in entries {
            bytes.append(contentsOf: entry.line.utf8)
            bytes.append(0x0A)
        }
        try RunnerFS.writeFileAtomically(
            RelativePath.join(outputDirectory, mainName), bytes: bytes, tempTag: TempNames.manifestTag)
        return entries.count
    }
}
