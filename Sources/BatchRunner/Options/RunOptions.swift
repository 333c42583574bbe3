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
    public init(input: String, output: String, settings: ArraySettingsResolver, seed: UInt64? = nil,
                copies: Int = 1, members: MemberSelection = .all, resume: Bool = false, overwrite: Bool = false, arraysOnly: Bool = false, writeMasks: Bool = true,
                compression: NPZCompression = .input, compressionLevel: Int? = nil,
                deflateBlockSize: Int? = ParallelDeflateOptions.defaultBlockSize, deflateEngine: DeflateEngine = .isal,
                isalKnownAnswer: IsalKnownAnswer.Answer = IsalKnownAnswer.committed, sync: Bool = false,
                jobs: Int = RunOptions.defaultJobs, shard: ShardSpec? = nil,
                shardSource: ShardSource? = nil, quiet: Bool = false, json: Bool = false,
                segmentBytes: Int = RunOptions.defaultSegmentBytes) {
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

    /// Checks and merges the command line with the config file it names (read here) and the
    /// shard variables of `environment`. Throws `.usage` for every impossible combination.
    public init(arguments: RunArguments, environment: [String: String]) throws {
        let config = try arguments.config.map { try RunConfig.load(path: $0) } ?? RunConfig()
        let commandLine = try arguments.dropoutOverrides()

        guard let rate = commandLine.rate ?? config.dropout.rate else {
            throw RunnerError.usage("--rate is required (on the command line or as \"rate\" in the config file)")
        }
        let builtIn = DropoutSettings(rate: rate)
        let defaults = commandLine.applied(to: config.dropout.applied(to: builtIn))
        try defaults.check(origin: "options")
        let resolver = ArraySettingsResolver(defaults: defaults, rules: config.rules, pinned: commandLine.fields)

        let seed = try arguments.seed.map { try RunArguments.parseSeed($0) } ?? config.seed
        let copies = arguments.copies ?? config.copies ?? 1
        guard copies >= 1 && copies <= 1_000_000 else {
            throw RunnerError.usage("--copies must be between 1 and 1000000, found \(copies)")
        }
        let jobs = arguments.jobs ?? config.jobs ?? RunOptions.defaultJobs
        guard jobs >= 1 && jobs <= 4096 else { throw RunnerError.usage("--jobs must be between 1 and 4096, found \(jobs)") }

        let members: MemberSelection
        if let text = arguments.members {
            members = try MemberSelection(parsing: text)
        } else if let names = config.members {
            members = try MemberSelection(names: names)
        } else {
            members = .all
        }

        if arguments.compress && arguments.store { throw RunnerError.usage("--compress and --store exclude each other") }
        let compression: NPZCompression =
            arguments.compress ? .deflate : arguments.store ? .store : config.compression ?? .input
        let level = arguments.compressionLevel ?? config.compressionLevel
        if let level {
            guard MemberEncoding.levels.contains(level) else {
                throw RunnerError.usage("--compression-level must be between -1 and 9, found \(level)")
            }
            if compression == .store { throw RunnerError.usage("--compression-level does not apply with --store") }
        }
        let singleStream = arguments.singleStreamDeflate || config.singleStreamDeflate == true
        if singleStream && compression == .store {
            throw RunnerError.usage("--single-stream-deflate does not apply with --store")
        }
        var knownAnswer = IsalKnownAnswer.committed
        if let text = environment[RunOptions.knownAnswerVariable] {
            guard let answer = IsalKnownAnswer.Answer(parsing: text) else {
                throw RunnerError.usage("\(RunOptions.knownAnswerVariable) must be SIZE:CRC (8 hex digits), found '\(text)'")
            }
            knownAnswer = answer
        }
        let segmentBytes = arguments.segmentBytes ?? RunOptions.defaultSegmentBytes
        guard segmentBytes >= 1 else { throw RunnerError.usage("--segment-bytes must be positive, found \(segmentBytes)") }

        var shard: ShardSpec?
        var source: ShardSource?
        if let text = arguments.shard {
            shard = try ShardSpec(parsing: text)
            source = .commandLine
            if let count = arguments.shardCount, count != shard?.count {
                throw RunnerError.usage("--shard-count \(count) disagrees with --shard \(text)")
            }
        } else if let (detected, from) = try ShardSpec.detect(environment: environment, shardCount: arguments.shardCount) {
            shard = detected
            source = from
        } else if arguments.shardCount != nil {
            throw RunnerError.usage("--shard-count needs JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID in the environment (or use --shard I/N)")
        }
        if shard?.count == 1 { shard = nil }
        if arguments.resume && arguments.overwrite {
            throw RunnerError.usage("--resume and --overwrite exclude each other: --resume finishes the run in OUT, --overwrite replaces it")
        }
        if arguments.overwrite, let shard {
            throw RunnerError.usage("--overwrite cannot be used by shard \(shard): the other shards share OUT; empty OUT before starting the shards, or pass --resume")
        }
        if shard != nil && seed == nil && !arguments.resume {
            throw RunnerError.usage("a sharded run needs --seed: every shard must use the same seed")
        }

        var rng = RandomStreamKind.npdrop
        if let text = arguments.rng {
            guard let kind = RandomStreamKind(rawValue: text) else {
                throw RunnerError.usage("--rng must be npdrop|keras-numpy|keras-jax, found '\(text)'")
            }
            rng = kind
        }
        if rng.isKeras {
            if let seed, seed > UInt64(UInt32.max) {
                throw RunnerError.usage("--rng \(rng.rawValue) needs a seed in [0, 2^32) (Keras seeds are uint32), found \(seed)")
            }
            if defaults.variant == .alpha || defaults.fill != nil || !defaults.scale {
                throw RunnerError.usage("--rng \(rng.rawValue) reproduces keras dropout, which has no alpha variant, --fill or --no-scale")
            }
        } else if arguments.kerasCall != nil || arguments.kerasLayer {
            throw RunnerError.usage("--keras-call and --keras-layer need --rng keras-numpy or --rng keras-jax")
        }

        self.init(input: arguments.input, output: arguments.output, settings: resolver, seed: seed, copies: copies,
                  members: members, resume: arguments.resume, overwrite: arguments.overwrite,
                  arraysOnly: arguments.arraysOnly || config.arraysOnly == true, writeMasks: !(arguments.noMasks || config.noMasks == true),
                  compression: compression, compressionLevel: level == -1 ? nil : level,
                  deflateBlockSize: singleStream ? nil : ParallelDeflateOptions.defaultBlockSize,
                  deflateEngine: level == nil ? .isal : .zlib, isalKnownAnswer: knownAnswer,
                  sync: arguments.sync,
                  jobs: jobs, shard: shard, shardSource: source,
                  quiet: arguments.quiet, json: arguments.json, segmentBytes: segmentBytes)
        self.rng = rng
        kerasCall = arguments.kerasCall ?? 0
        kerasLayer = arguments.kerasLayer
        if let text = arguments.maskFormat {
            guard let format = MaskFormat(rawValue: text) else {
                throw RunnerError.usage("--mask-format must be bool or packbits, found '\(text)'")
            }
            maskFormat = format
        } else if let format = config.maskFormat {
            maskFormat = format
        }
    }

    /// What the run may do with an OUT that already holds files.
    public var existingOutputPolicy: ExistingOutput.Policy {
        resume ? .resume : overwrite ? .overwrite : .refuse
    }

    /// The environment variable that replaces the ISA-L known answer (for tests of the fallback).
    public static let knownAnswerVariable = "NPDROP_TEST_ISAL_KNOWN_ANSWER"

    /// The encoding of output npz members as the options ask for it (before the known-answer check).
    public var memberEncoding: MemberEncoding {
        MemberEncoding(compression: compression, level: compressionLevel, deflateBlockSize: deflateBlockSize,
                       engine: deflateEngine)
    }

    /// The manifest file this run writes in OUT.
    public var manifestName: String { shard?.manifestName ?? ManifestFiles.mainName }
}
