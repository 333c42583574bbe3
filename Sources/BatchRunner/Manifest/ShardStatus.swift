/// What one shard of a sharded OUT holds, from its manifest and its completion record.
public struct ShardStatus: Sendable, Hashable {
    /// Where the shard stands.
    public enum State: String, Sendable, Hashable {
        /// Finished: every planned task is recorded (errors included) with the common settings.
        case complete
        /// Started (or left by an older npdrop) but not finished: still running or stopped.
        case unfinished
        /// Neither a manifest nor a completion record.
        case missing
        /// Finished, but with other settings or another input than the other shards.
        case mismatched
        /// Finished, but its manifest no longer holds what the completion record counted.
        case changed
    }

    /// The shard.
    public var shard: ShardSpec
    /// Where it stands.
    public var state: State
    /// Tasks (file × copy) with records in the shard manifest, at most `totalTasks` when known.
    public var doneTasks: Int
    /// Tasks the shard planned; nil without a completion record.
    public var totalTasks: Int?
    /// Latest records in the shard manifest.
    public var records: Int
    /// Of those, records with status `error`.
    public var errors: Int
    /// Why the shard cannot be merged, one line starting `shard I/N:`; nil when it is complete.
    public var problem: String?
}
