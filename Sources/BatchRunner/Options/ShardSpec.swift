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
    /// of `SLURM_ARRAY_TASK_COUNT`). Nil when neither is set. Throws `.usage` when the variables
    /// are malformed, disagree with `shardCount`, or describe anything but one task per shard:
    /// a Slurm array must be a contiguous range (`SLURM_ARRAY_TASK_STEP` 1 and
    /// `MAX - MIN + 1 == COUNT`; a step such as `0-6:2` or a list such as `0,1,2,5` would leave
    /// shards unrun), and a Kubernetes index must be below `shardCount`.
    public static func detect(environment: [String: String], shardCount: Int?) throws -> (ShardSpec, ShardSource)? {
        func number(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingSpaces), value >= 0 else {
                throw RunnerError.usage(
                    "environment variable \(name) should be a non-negative integer, found '\(text)'")
            }
            return value
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            guard let shardCount else {
                throw RunnerError.usage("JOB_COMPLETION_INDEX is set: pass --shard-count N (the Job's completions)")
            }
            guard index < shardCount else {
                throw RunnerError.usage(
                    "JOB_COMPLETION_INDEX is \(index) but --shard-count is \(shardCount): the indices of an "
                        + "Indexed Job are 0 ... completions-1, so --shard-count must equal the Job's spec.completions")
            }
            return (try ShardSpec(index: index, count: shardCount), .kubernetes)
        }
        guard let id = try number("SLURM_ARRAY_TASK_ID") else { return nil }
        let names = ["SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_COUNT"]
        let values = try names.map { try number($0) }
        guard let minimum = values[0], let maximum = values[1], let count = values[2] else {
            let absent = zip(names, values).filter { $0.1 == nil }.map(\.0).joined(separator: ", ")
            throw RunnerError.usage(
                "SLURM_ARRAY_TASK_ID is set but \(absent) \(absent.contains(",") ? "are" : "is") not: "
                    + "npdrop cannot check that the array runs every shard; pass --shard I/N")
        }
        let step = try number("SLURM_ARRAY_TASK_STEP") ?? 1
        let contiguous = "--array=\(minimum)-\(minimum + max(count, 1) - 1)"
        if step != 1 {
            throw RunnerError.usage(
                "the Slurm array has SLURM_ARRAY_TASK_STEP=\(step) (an array such as --array=\(minimum)-\(maximum):\(step)): "
                    + "npdrop runs shard ID-MIN of COUNT, so a step leaves shards unrun; write \(contiguous) "
                    + "(\(count) tasks, one per shard; add %K to run at most K at once)")
        }
        guard maximum >= minimum, maximum - minimum + 1 == count else {
            throw RunnerError.usage(
                "the Slurm array is not a contiguous range (SLURM_ARRAY_TASK_MIN=\(minimum), "
                    + "SLURM_ARRAY_TASK_MAX=\(maximum), SLURM_ARRAY_TASK_COUNT=\(count): a list such as --array=0,1,2,5): "
                    + "npdrop runs shard ID-MIN of COUNT, so a gap leaves shards unrun; write \(contiguous) "
                    + "(\(count) tasks, one per shard; add %K to run at most K at once)")
        }
        guard id >= minimum, id <= maximum else {
            throw RunnerError.usage(
                "SLURM_ARRAY_TASK_ID \(id) is outside SLURM_ARRAY_TASK_MIN..SLURM_ARRAY_TASK_MAX (\(minimum)..\(maximum))"
            )
        }
        if let shardCount, shardCount != count {
            throw RunnerError.usage(
                "--shard-count \(shardCount) disagrees with SLURM_ARRAY_TASK_COUNT=\(count): a Slurm array "
                    + "runs one shard per task, so submit --array=\(minimum)-\(minimum + shardCount - 1) (or drop --shard-count)"
            )
        }
        return (try ShardSpec(index: id - minimum, count: count), .slurm)
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
