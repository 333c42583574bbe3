/// `npdrop run` as the command line asks for it, typed: the two paths, the command line's
/// settings layer, the config file to layer them over, and the flags that are not settings
/// (they do not decide any output byte). `RunOptions(request:environment:)` merges and checks it.
public struct RunRequest: Sendable, Hashable {
    /// INPUT (positional).
    public var input: String
    /// `--output OUT`.
    public var output: String
    /// The settings given on the command line (these win over the config file and its rules).
    public var settings = RunSettings()
    /// `--config FILE`.
    public var configPath: String?
    /// `--shard I/N`.
    public var shard: ShardSpec?
    /// `--shard-count N`, for a shard index taken from the environment.
    public var shardCount: Int?
    /// `--resume`.
    public var resume = false
    /// `--overwrite`.
    public var overwrite = false
    /// `--sync`.
    public var sync = false
    /// `--quiet`.
    public var quiet = false
    /// `--json`.
    public var json = false
    /// `--segment-bytes N`.
    public var segmentBytes: Int?

    /// A request with only the two paths given.
    public init(input: String, output: String) {
        self.input = input
        self.output = output
    }
}
