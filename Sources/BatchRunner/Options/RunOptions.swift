import DropoutEngine
import Foundation
import NPZContainer

/// Everything `npdrop run` needs, checked and merged from the command line, the config file and
/// the environment. Precedence for dropout settings, lowest first: built-in defaults, config top
/// level, command line; then for each array the first matching config rule replaces the fields
/// it names, except fields given explicitly on the command line.
public struct RunOptions: Sendable {
    /// Input directory or file, as given.
    public var input: String
    /// Output directory, as given.
    public var output: String
    /// Per-array dropout settings.
    public var settings: ArraySettingsResolver
    /// The seed; nil to take it from the manifest (with `resume`) or draw one at random.
    public var seed: UInt64?
    /// Augmentation copies, at least 1.
    public var copies: Int
    /// Which npz members are processed.
    public var members: MemberSelection
    /// Skip arrays whose outputs and matching records already exist.
    public var resume: Bool
    /// Remove what an earlier npdrop run wrote in OUT before running (`--overwrite`).
    public var overwrite: Bool
    /// Leave files that are not `.npy`/`.npz` out of OUT (`--arrays-only`); by default they
    /// are copied unchanged.
    public var arraysOnly: Bool
    /// Write keep masks (false with `--no-masks`).
    public var writeMasks: Bool
    /// How output npz members are stored.
    public var compression: NPZCompression
    /// zlib level for deflated output npz members; nil for zlib's default (what
    /// `np.savez_compressed` uses).
    public var compressionLevel: Int?
    /// Input bytes per independently deflated block of an output npz member, or nil to deflate
    /// each member as one stream (`--single-stream-deflate`).
    public var deflateBlockSize: Int?
    /// The library deflating the blocks: ISA-L unless a zlib level is asked for. The run checks
    /// ISA-L's known answer first and writes zlib blocks where it fails.
    public var deflateEngine: DeflateEngine
    /// What ISA-L must give for its known-answer check: the committed answer, or (a test hook) the
    /// value of `NPDROP_TEST_ISAL_KNOWN_ANSWER` (`SIZE:CRC`), so a test can make the check fail.
    public var isalKnownAnswer: IsalKnownAnswer.Answer
    /// `fsync` every output before renaming it (off by default: see `OutputFile.commit`).
    public var sync: Bool
    /// Worker threads, at least 1.
    public var jobs: Int
    /// This run's shard, or nil when the run takes every file.
    public var shard: ShardSpec?
    /// Where `shard` came from.
    public var shardSource: ShardSource?
    /// No progress or summary on stderr.
    public var quiet: Bool
    /// Print the summary as JSON on stdout.
    public var json: Bool
    /// Target bytes of one work segment of a large file (a hint to the processor).
    public var segmentBytes: Int
    /// `--rng`: npdrop's stream or a Keras backend's.
    public var rng: RandomStreamKind = .npdrop
    /// `--keras-call K`: file `f` of the sorted work list (all `F` files INPUT holds, before
    /// sharding), copy `c`, is call `K + c * F + f` of the layer (mod 2^32, as Keras's uint32 state).
    public var kerasCall: UInt32 = 0
    /// `--keras-layer`: reproduce the layer rather than the op.
    public var kerasLayer = false
    /// How keep masks are written: NumPy bools (default) or `np.packbits` of the flattened mask.
    public var maskFormat = MaskFormat.bool

    /// Options with everything explicit; for library users and tests.
    public init(
        input: String, output: String, settings: ArraySettingsResolver, seed: UInt64? = nil,
        copies: Int = 1, members: MemberSelection = .all, resume: Bool = false, overwrite: Bool = false,
        arraysOnly: Bool = false, writeMasks: Bool = true,
        compression: NPZCompression = .input, compressionLevel: Int? = nil,
        deflateBlockSize: Int? = ParallelDeflateOptions.defaultBlockSize, deflateEngine: DeflateEngine = .isal,
        isalKnownAnswer: IsalKnownAnswer.Answer = IsalKnownAnswer.committed, sync: Bool = false,
        jobs: Int = RunOptions.defaultJobs, shard: ShardSpec? = nil,
        shardSource: ShardSource? = nil, quiet: Bool = false, json: Bool = false,
        segmentBytes: Int = RunOptions.defaultSegmentBytes
    ) {
        self.input = input
        self.output = output
        self.settings = settings
        self.seed = seed
        self.copies = copies
        self.members = members
        self.resume = resume
        self.overwrite = overwrite
        self.arraysOnly = arraysOnly
        self.writeMasks = writeMasks
        self.compression = compression
        self.compressionLevel = compressionLevel
        self.deflateBlockSize = deflateBlockSize
        self.deflateEngine = deflateEngine
        self.isalKnownAnswer = isalKnownAnswer
        self.sync = sync
        self.jobs = jobs
        self.shard = shard
        self.shardSource = shardSource
        self.quiet = quiet
        self.json = json
        self.segmentBytes = segmentBytes
    }

    /// The number of active cores: the default for `--jobs`.
    public static var defaultJobs: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
    /// 64 MiB.
    public static let defaultSegmentBytes = 64 << 20

    /// Merges the command line's settings over the config file it names (read here), checks
    /// the result once (`RunSettings.validate`), and takes the shard from the request or the
    /// shard variables of `environment`. Throws `.usage` for every impossible combination.
    public init(request: RunRequest, environment: [String: String]) throws {
        let config = try request.configPath.map { try RunConfig.load(path: $0) } ?? RunConfig()
        let merged = request.settings.layered(over: config.settings)
        try merged.validate()
        guard let defaults = merged.dropoutDefaults else {
            throw RunnerError.usage("--rate is required (on the command line or as \"rate\" in the config file)")
        }
        let resolver = ArraySettingsResolver(
            defaults: defaults, rules: config.rules, pinned: request.settings.dropout.fields)

        var knownAnswer = IsalKnownAnswer.committed
        if let text = environment[RunOptions.knownAnswerVariable] {
            guard let answer = IsalKnownAnswer.Answer(parsing: text) else {
                throw RunnerError.usage(
                    "\(RunOptions.knownAnswerVariable) must be SIZE:CRC (8 hex digits), found '\(text)'")
            }
            knownAnswer = answer
        }
        let segmentBytes = request.segmentBytes ?? RunOptions.defaultSegmentBytes
        guard segmentBytes >= 1 else {
            throw RunnerError.usage("--segment-bytes must be positive, found \(segmentBytes)")
        }
        if let count = request.shardCount, count < 1 {
            throw RunnerError.usage("--shard-count must be at least 1, found \(count)")
        }

        var shard = request.shard
        var source: ShardSource?
        if let given = request.shard {
            source = .commandLine
            if let count = request.shardCount, count != given.count {
                throw RunnerError.usage("--shard-count \(count) disagrees with --shard \(given)")
            }
        } else if let (detected, from) = try ShardSpec.detect(environment: environment, shardCount: request.shardCount)
        {
            shard = detected
            source = from
        } else if request.shardCount != nil {
            throw RunnerError.usage(
                "--shard-count needs JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID in the environment (or use --shard I/N)"
            )
        }
        if shard?.count == 1 { shard = nil }
        if request.resume && request.overwrite {
            throw RunnerError.usage(
                "--resume and --overwrite exclude each other: --resume finishes the run in OUT, --overwrite replaces it"
            )
        }
        if request.overwrite, let shard {
            throw RunnerError.usage(
                "--overwrite cannot be used by shard \(shard): the other shards share OUT; empty OUT before starting the shards, or pass --resume"
            )
        }
        if shard != nil && merged.seed == nil && !request.resume {
            throw RunnerError.usage("a sharded run needs --seed: every shard must use the same seed")
        }

        let level = merged.compressionLevel
        self.init(
            input: request.input, output: request.output, settings: resolver, seed: merged.seed,
            copies: merged.copies ?? 1, members: merged.members ?? .all, resume: request.resume,
            overwrite: request.overwrite, arraysOnly: merged.arraysOnly ?? false,
            writeMasks: merged.writeMasks ?? true, compression: merged.compression ?? .input,
            compressionLevel: level == -1 ? nil : level,
            deflateBlockSize: merged.singleStreamDeflate == true ? nil : ParallelDeflateOptions.defaultBlockSize,
            deflateEngine: level == nil ? .isal : .zlib, isalKnownAnswer: knownAnswer,
            sync: request.sync, jobs: merged.jobs ?? RunOptions.defaultJobs, shard: shard, shardSource: source,
            quiet: request.quiet, json: request.json, segmentBytes: segmentBytes)
        let stream = merged.stream
        rng = stream.rng
        kerasCall = stream.kerasCall
        kerasLayer = stream.kerasLayer
        maskFormat = merged.maskFormat ?? .bool
    }

    /// What the run may do with an OUT that already holds files.
    public var existingOutputPolicy: ExistingOutput.Policy {
        resume ? .resume : overwrite ? .overwrite : .refuse
    }

    /// The environment variable that replaces the ISA-L known answer (for tests of the fallback).
    public static let knownAnswerVariable = "NPDROP_TEST_ISAL_KNOWN_ANSWER"

    /// The encoding of output npz members as the options ask for it (before the known-answer check).
    public var memberEncoding: MemberEncoding {
        MemberEncoding(
            compression: compression, level: compressionLevel, deflateBlockSize: deflateBlockSize,
            engine: deflateEngine)
    }

    /// The manifest file this run writes in OUT.
    public var manifestName: String { shard?.manifestName ?? ManifestFiles.mainName }
}
