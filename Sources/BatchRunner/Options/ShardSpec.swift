/// Where a shard assignment came from.
public enum ShardSource: String, Sendable, Hashable {
    case commandLine = "--shard"
    case kubernetes = "JOB_COMPLETION_INDEX"
    case slurm = "SLURM_ARRAY_TASK_ID"
}

/// Shard `index` of `count`: the run takes the input files whose relpath hashes to `index`.
///
/// The hash is FNV-1a 64 over the UTF-8 bytes of the relpath (offset basis
/// 0xcbf29ce484222325, prime 0x100000001b3, arithmetic mod 2^64); the shard is `hash % count`.
public struct ShardSpec: Sendable, Hashable, CustomStringConvertible {
    /// Zero-based shard number, `0 ..< count`.
    public let index: Int
    /// Number of shards, at least 1.
    public let count: Int

    /// Throws `.usage` unless `0 <= index < count`.
    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 0, index < count else {
            throw RunnerError.usage("shard \(index)/\(count) is invalid: expected 0 <= I < N")
        }
        self.index = index
        self.count = count
    }

    /// Parses `I/N` (decimal, no spaces); throws `.usage` on anything else.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw RunnerError.usage("--shard expects I/N (e.g. 0/4), found '\(text)'")
        }
        try self.init(index: index, count: count)
    }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }

    /// FNV-1a 64 of `bytes`.
    public static func fnv1a64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// The shard of `relativePath` among `count` shards.
    public static func shard(of relativePath: String, count: Int) -> Int {
        Int(fnv1a64(relativePath.utf8) % UInt64(count))
    }

    /// True when this shard processes `relativePath`.
    public func owns(_ relativePath: String) -> Bool {
        ShardSpec.shard(of: relativePath, count: count) == index
    }

    /// The manifest this shard writes: `manifest.jsonl` for 1 shard,
    /// `manifest-shard-<I>-of-<N>.jsonl` otherwise.
    public var manifestName: String {
        count == 1 ? ManifestFiles.mainName : "manifest-shard-\(index)-of-\(count).jsonl"
    }

    /// The shard given by the environment: Kubernetes Indexed Jobs (`JOB_COMPLETION_INDEX`,
    /// count from `shardCount`), else Slurm arrays (`SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN`
    /// of `SLURM_ARRAY_TASK_COUNT`, or of `shardCount` when given). Nil when neither is set.
    /// Throws `.usage` when the variables are malformed or inconsistent.
    public static func detect(environment: [String: String], shardCount: Int?) throws -> (ShardSpec, ShardSource)? {
        func number(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingSpaces), value >= 0 else {
                throw RunnerError.usage("environment variable \(name) should be a non-negative integer, found '\(text)'")
            }
            return value
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            guard let shardCount else {
                throw RunnerError.usage("JOB_COMPLETION_INDEX is set: pass --shard-count N (the Job's completions)")
            }
            return (try ShardSpec(index: index, count: shardCount), .kubernetes)
        }
        if let id = try number("SLURM_ARRAY_TASK_ID") {
            let minimum = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            guard let count = try shardCount ?? number("SLURM_ARRAY_TASK_COUNT") else {
                throw RunnerError.usage("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: pass --shard-count N")
            }
            guard id >= minimum else {
                throw RunnerError.usage("SLURM_ARRAY_TASK_ID \(id) is below SLURM_ARRAY_TASK_MIN \(minimum)")
            }
            return (try ShardSpec(index: id - minimum, count: count), .slurm)
        }
        return nil
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(scalars[first...last])
    }
}
