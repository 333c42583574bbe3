import Foundation

/// A shard's completion record, `OUT/manifest-shard-<I>-of-<N>.state.json`: one JSON object
/// (and a newline) that `merge-manifests` and `status` read to tell a finished shard from one
/// still running, killed, or run with other settings.
///
/// The shard writes it twice, atomically each time: when its work is planned (`complete`
/// false, the planned totals) and when every planned task has its records in the shard
/// manifest and that manifest has been rewritten sorted (`complete` true, the counts). A shard
/// that is stopped in between keeps the first version. A shard that ran with errors is
/// complete: its error records are its result (`all_ok` false).
///
/// Fields, in this order: `shard` (`I/N`), `complete`, `files` (input files of this shard),
/// `tasks` (file × copy tasks of this shard), `resumed_tasks`, `records`, `ok`, `copied`,
/// `errors`, `all_ok` (the last five null until complete), `input_files` and `input_digest`
/// (every input file of the run, all shards, and an FNV-1a 64 digest of their relpaths and
/// sizes: shards of one run see the same), `settings` (the settings that decide the output
/// bytes, as strings: `ShardSettings`). Readers ignore fields they do not know.
public struct ShardCompletion: Codable, Sendable, Hashable {
    /// The shard this record is of.
    public var shard: String
    /// True once every planned task is recorded and the manifest is final.
    public var complete: Bool
    /// Input files this shard takes.
    public var files: Int
    /// File × copy tasks of this shard (done now and carried over by `--resume`).
    public var tasks: Int
    /// Tasks whose records `--resume` carried over.
    public var resumedTasks: Int
    /// Records in the final shard manifest; nil until complete.
    public var records: Int?
    /// Records with status `ok`; nil until complete.
    public var ok: Int?
    /// Records with status `copied`; nil until complete.
    public var copied: Int?
    /// Records with status `error`; nil until complete.
    public var errors: Int?
    /// True when every file succeeded (no error record); nil until complete.
    public var allOK: Bool?
    /// Input files of the whole run (every shard).
    public var inputFiles: Int
    /// FNV-1a 64 (16 hex digits) over `relpath \0 size \n` of every input file, in walk order.
    public var inputDigest: String
    /// The settings that decide the output bytes (`ShardSettings.pairs`), by name.
    public var settings: [String: String]

    enum CodingKeys: String, CodingKey {
        case shard, complete, files, tasks
        case resumedTasks = "resumed_tasks"
        case records, ok, copied, errors
        case allOK = "all_ok"
        case inputFiles = "input_files"
        case inputDigest = "input_digest"
        case settings
    }

    /// A record; see the properties.
    public init(
        shard: ShardSpec, complete: Bool, files: Int, tasks: Int, resumedTasks: Int, records: Int?,
        ok: Int?, copied: Int?, errors: Int?, inputFiles: Int, inputDigest: String, settings: [String: String]
    ) {
        self.shard = shard.description
        self.complete = complete
        self.files = files
        self.tasks = tasks
        self.resumedTasks = resumedTasks
        self.records = records
        self.ok = ok
        self.copied = copied
        self.errors = errors
        self.allOK = errors.map { $0 == 0 }
        self.inputFiles = inputFiles
        self.inputDigest = inputDigest
        self.settings = settings
    }

    /// The file name of `shard`'s completion record.
    public static func fileName(of shard: ShardSpec) -> String {
        "manifest-shard-\(shard.index)-of-\(shard.count).state.json"
    }

    /// The digest of `inputDigest` for files given as (relpath, size), in walk order.
    public static func digest(of files: some Sequence<(String, Int64)>) -> String {
        // FNV-1a 64 over "<path>\0<size>\n" per file, hashed as it goes (no buffer of every path).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        for (path, size) in files {
            for byte in path.utf8 { mix(byte) }
            mix(0)
            for byte in String(size).utf8 { mix(byte) }
            mix(0x0A)
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The canonical text: fields in order, settings in `ShardSettings` order, then a newline.
    public var jsonText: String {
        let orderedSettings = ShardSettings.ordered(settings).map { ($0.0, JSONText.string($0.1)) }
        func optional(_ value: Int?) -> String { value.map { JSONText.integer($0) } ?? "null" }
        return JSONText.object([
            ("shard", JSONText.string(shard)),
            ("complete", JSONText.bool(complete)),
            ("files", JSONText.integer(files)),
            ("tasks", JSONText.integer(tasks)),
            ("resumed_tasks", JSONText.integer(resumedTasks)),
            ("records", optional(records)),
            ("ok", optional(ok)),
            ("copied", optional(copied)),
            ("errors", optional(errors)),
            ("all_ok", JSONText.bool(allOK)),
            ("input_files", JSONText.integer(inputFiles)),
            ("input_digest", JSONText.string(inputDigest)),
            ("settings", JSONText.object(orderedSettings)),
        ]) + "\n"
    }

    /// Replaces the record of `shard` in `outputDirectory` atomically (synced with `sync`).
    func write(outputDirectory: String, shard: ShardSpec, sync: Bool = false) throws {
        try RunnerFS.writeFileAtomically(
            RelativePath.join(outputDirectory, ShardCompletion.fileName(of: shard)),
            bytes: Array(jsonText.utf8), tempTag: TempNames.manifestTag, sync: sync)
    }

    /// Longest completion record read back.
    static let maxBytes = 1 << 20

    /// Reads the record at `path`: nil when there is none; throws `.malformed` naming the file
    /// when it is not a completion record.
    public static func read(path: String) throws -> ShardCompletion? {
        guard case .regular = try RunnerFS.entryKind(path, followLinks: false) else { return nil }
        let bytes = try RunnerFS.readFile(path, limit: maxBytes)
        do {
            return try JSONDecoder().decode(ShardCompletion.self, from: Data(bytes))
        } catch {
            throw RunnerError.malformed(
                path: path,
                detail:
                    "expected a shard completion record (one JSON object), found \(bytes.count) byte(s) that are not one"
            )
        }
    }
}

/// The settings a shard records in its completion record: what decides the bytes of its
/// outputs, as (name, text) pairs in a fixed order. Shards merge only when theirs are equal.
public enum ShardSettings {
    /// Names in the order they are written.
    public static let names = [
        "seed", "copies", "masks", "members", "variant", "rate", "noise_shape", "data_format", "scale", "fill",
        "rules", "compression", "compression_level", "deflate_block_size", "deflate_engine", "rng", "keras_call",
        "keras_layer", "npdrop_version",
    ]

    /// The pairs for a run with `options` and the chosen `seed`.
    public static func pairs(_ options: RunOptions, seed: UInt64) -> [(String, String)] {
        let defaults = options.settings.defaults
        let rules =
            options.settings.rules.map { String(describing: $0) }.joined(separator: "\n")
            + "\npinned:" + options.settings.pinned.map(\.rawValue).sorted().joined(separator: ",")
        return [
            ("seed", String(seed)),
            ("copies", String(options.copies)),
            ("masks", options.writeMasks ? "true" : "false"),
            ("members", options.members.names?.joined(separator: ",") ?? "all"),
            ("variant", defaults.variant.rawValue),
            ("rate", defaults.rate.description),
            ("noise_shape", defaults.noiseShape?.description ?? "preset"),
            ("data_format", defaults.dataFormat.rawValue),
            ("scale", defaults.scale ? "true" : "false"),
            ("fill", defaults.fill?.text ?? "none"),
            (
                "rules",
                options.settings.rules.isEmpty
                    ? "none"
                    : "\(options.settings.rules.count) rule(s), digest \(ShardCompletion.digest(of: [(rules, Int64(0))]))"
            ),
            ("compression", options.compression.rawValue),
            ("compression_level", options.compressionLevel.map(String.init) ?? "default"),
            ("deflate_block_size", options.deflateBlockSize.map(String.init) ?? "single-stream"),
            ("deflate_engine", options.deflateEngine.rawValue),
            ("rng", options.rng.rawValue),
            ("keras_call", String(options.kerasCall)),
            ("keras_layer", options.kerasLayer ? "true" : "false"),
            ("npdrop_version", NPDropVersion.current),
        ]
    }

    /// `settings` as pairs: known names in order, then any others sorted.
    public static func ordered(_ settings: [String: String]) -> [(String, String)] {
        let known = names.compactMap { name in settings[name].map { (name, $0) } }
        let others = settings.keys.filter { !names.contains($0) }.sorted().map { ($0, settings[$0]!) }
        return known + others
    }

    /// "seed 7, not 5; rate 0.2, not 0.1": how `found` differs from `expected`.
    public static func differences(_ found: [String: String], from expected: [String: String]) -> String {
        let keys = ordered(found.merging(expected) { a, _ in a }).map(\.0)
        return keys.compactMap { key in
            let a = found[key], b = expected[key]
            guard a != b else { return nil }
            return "\(key) \(a ?? "absent"), not \(b ?? "absent")"
        }.joined(separator: "; ")
    }
}
