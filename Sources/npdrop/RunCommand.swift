import ArgumentParser
import BatchRunner
import Foundation

/// `npdrop run INPUT --output OUT [dropout options] ...`: dropout on every `.npy`/`.npz` below
/// INPUT, with results, keep masks and a manifest in OUT (contract §4). The work is
/// `BatchRun` with the real `DropoutFileProcessor`; this struct only collects the flags.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Apply dropout to every .npy/.npz under INPUT, writing results, masks and a manifest to OUT.",
        discussion: """
            Layout: OUT/data/<relpath> (results), OUT/masks/<relpath> (keep masks), OUT/manifest.jsonl \
            (one JSON record per array; with --shard: manifest-shard-<I>-of-<N>.jsonl, merged by \
            'npdrop merge-manifests OUT'). Flags given on the command line win over the config file and \
            its rules. Exit status: 0 all arrays done, 1 some array failed (the others are still written), \
            2 usage error.
            """
    )

    @Argument(help: "Input directory (every .npy/.npz below it) or one .npy/.npz file.")
    var input: String

    @Option(name: [.short, .long], help: "Output directory; must not overlap INPUT.")
    var output: String

    @OptionGroup(title: "Dropout options")
    var dropout: DropoutOptionGroup

    @Option(help: "Augmentation copies per array (copy k goes to OUT/copy-<k>/ when K > 1).")
    var copies: Int?

    @Option(help: "Worker threads (default: the number of active cores).")
    var jobs: Int?

    @Option(help: ArgumentHelp("Process only shard I of N (files whose relpath hashes to I).", valueName: "I/N"))
    var shard: String?

    @Option(name: .customLong("shard-count"),
            help: "N for a shard index taken from JOB_COMPLETION_INDEX (Kubernetes: the Job's completions); with a Slurm array it must equal SLURM_ARRAY_TASK_COUNT.")
    var shardCount: Int?

    @Flag(help: "Finish the run OUT holds: skip files the manifest records as done with the same settings and unchanged inputs, redo the rest.")
    var resume = false

    @Flag(help: "Remove what an earlier npdrop run wrote in OUT (data/, masks/, copy-*/, manifests), then run.")
    var overwrite = false

    @Option(help: ArgumentHelp("JSON config file with defaults and per-file rules.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("npz members to process, comma-separated (others are copied unchanged).", valueName: "names"))
    var members: String?

    @Option(help: ArgumentHelp("Element kinds that get dropout: a comma list of float, complex, int, bool, all (default float,complex); other arrays are copied unchanged.", valueName: "list"))
    var dtypes: String?

    @Flag(name: .customLong("arrays-only"), help: "Leave files that are not .npy/.npz out of OUT (by default every other file is copied unchanged).")
    var arraysOnly = false

    @Flag(name: .customLong("no-masks"), help: "Do not write keep masks.")
    var noMasks = false

    @OptionGroup(title: "npz output")
    var encoding: ArchiveEncodingOptionGroup

    @OptionGroup(title: "Input limits")
    var limits: InputLimitsOptionGroup

    @Flag(help: "fsync every output before renaming it into place (slower; survives a power cut).")
    var sync = false

    @Flag(help: "No progress line and no summary (errors and a drawn seed are still printed).")
    var quiet = false

    @Flag(help: "Print the summary as one JSON object on standard output.")
    var json = false

    @Option(name: .customLong("mask-format"),
            help: ArgumentHelp(
                "Masks as NumPy bools (bool, default) or np.packbits(keep.ravel()) (packbits: |u1, 8 flags a byte; "
                    + "np.unpackbits(m, count=n).reshape(noise_shape).astype(bool) gives the mask back).",
                valueName: "format"))
    var maskFormat: String?

    @Option(name: .customLong("segment-bytes"),
            help: ArgumentHelp("Split .npy files into work segments of about this many data bytes (default 64 MiB).",
                               valueName: "bytes", visibility: .hidden))
    var segmentBytes: Int?

    func validate() throws {
        if let copies, copies < 1 { throw ValidationError("--copies must be at least 1, found \(copies)") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, found \(jobs)") }
        if let shardCount, shardCount < 1 { throw ValidationError("--shard-count must be at least 1, found \(shardCount)") }
        if let segmentBytes, segmentBytes < 1 { throw ValidationError("--segment-bytes must be positive, found \(segmentBytes)") }
    }

    /// The flags as the runner takes them (nil / false for what was not given).
    var arguments: RunArguments {
        var a = RunArguments(input: input, output: output)
        a.variant = dropout.variant?.rawValue
        a.rate = dropout.rate
        a.noiseShape = dropout.noiseShape
        a.dataFormat = dropout.dataFormat?.rawValue
        a.seed = dropout.seed.map { String($0) }
        a.noScale = dropout.noScale
        a.fill = dropout.fill
        a.rng = dropout.rng?.rawValue
        a.kerasCall = dropout.kerasCall
        a.kerasLayer = dropout.kerasLayer
        a.copies = copies
        a.jobs = jobs
        a.shard = shard
        a.shardCount = shardCount
        a.members = members
        a.resume = resume
        a.overwrite = overwrite
        a.arraysOnly = arraysOnly
        a.dtypes = dtypes
        a.noMasks = noMasks
        a.compress = encoding.compress
        a.store = encoding.store
        a.compressionLevel = encoding.compressionLevel
        a.singleStreamDeflate = encoding.singleStreamDeflate
        a.sync = sync
        a.quiet = quiet
        a.json = json
        a.config = config
        a.segmentBytes = segmentBytes
        a.maskFormat = maskFormat
        return a
    }

    func run() throws {
        let options = try RunOptions(arguments: arguments, environment: ProcessInfo.processInfo.environment)
        let report = try BatchRun(options: options, processor: DropoutFileProcessor(zipLimits: limits.zipLimits),
                                     interruption: RunInterruption.handlingSignals(), returnsRecords: false).run()
        if let code = report.interruptedExitCode { throw ExitCode(code) }
        if report.exitCode != 0 { throw FailuresReported(count: report.summary.arrayErrors) }
    }
}
