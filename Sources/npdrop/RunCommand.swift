import ArgumentParser
import BatchRunner
import DropoutEngine
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

    @Option(
        name: .customLong("shard-count"),
        help:
            "N for a shard index taken from JOB_COMPLETION_INDEX (Kubernetes: the Job's completions); with a Slurm array it must equal SLURM_ARRAY_TASK_COUNT."
    )
    var shardCount: Int?

    @Flag(
        help:
            "Finish the run OUT holds: skip files the manifest records as done with the same settings and unchanged inputs, redo the rest."
    )
    var resume = false

    @Flag(help: "Remove what an earlier npdrop run wrote in OUT (data/, masks/, copy-*/, manifests), then run.")
    var overwrite = false

    @Option(help: ArgumentHelp("JSON config file with defaults and per-file rules.", valueName: "file"))
    var config: String?

    @Option(
        help: ArgumentHelp("npz members to process, comma-separated (others are copied unchanged).", valueName: "names")
    )
    var members: String?

    @Option(
        help: ArgumentHelp(
            "Element kinds that get dropout: a comma list of float, complex, int, bool, all (default float,complex); other arrays are copied unchanged.",
            valueName: "list"))
    var dtypes: String?

    @Flag(
        name: .customLong("arrays-only"),
        help: "Leave files that are not .npy/.npz out of OUT (by default every other file is copied unchanged).")
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

    @Option(
        name: .customLong("mask-format"),
        help: ArgumentHelp(
            "Masks as NumPy bools (bool, default) or np.packbits(keep.ravel()) (packbits: |u1, 8 flags a byte; "
                + "np.unpackbits(m, count=n).reshape(noise_shape).astype(bool) gives the mask back).",
            valueName: "format"))
    var maskFormat: String?

    @Option(
        name: .customLong("segment-bytes"),
        help: ArgumentHelp(
            "Split .npy files into work segments of about this many data bytes (default 64 MiB).",
            valueName: "bytes", visibility: .hidden))
    var segmentBytes: Int?

    /// The command line as the runner takes it: every flag parsed once into its typed value
    /// (nil / false for what was not given); `RunOptions` layers it over the config file and
    /// checks the result once (`RunSettings.validate`).
    func request() throws -> RunRequest {
        var request = RunRequest(input: input, output: output)
        var settings = RunSettings()
        settings.dropout = try dropout.overrides()
        if let dtypes { settings.dropout.dtypes = try DTypeSelection(parsing: dtypes) }
        settings.seed = dropout.seed
        settings.rng = dropout.rng
        settings.kerasCall = dropout.kerasCall
        settings.kerasLayer = dropout.kerasLayer ? true : nil
        settings.copies = copies
        settings.jobs = jobs
        settings.members = try members.map { try MemberSelection(parsing: $0) }
        settings.arraysOnly = arraysOnly ? true : nil
        settings.writeMasks = noMasks ? false : nil
        settings.compression = encoding.compression
        settings.compressionLevel = encoding.compressionLevel
        settings.singleStreamDeflate = encoding.singleStreamDeflate ? true : nil
        if let maskFormat {
            guard let format = MaskFormat(rawValue: maskFormat) else {
                throw RunnerError.usage("--mask-format must be bool or packbits, found '\(maskFormat)'")
            }
            settings.maskFormat = format
        }
        request.settings = settings
        request.configPath = config
        request.shard = try shard.map { try ShardSpec(parsing: $0) }
        request.shardCount = shardCount
        request.resume = resume
        request.overwrite = overwrite
        request.sync = sync
        request.quiet = quiet
        request.json = json
        request.segmentBytes = segmentBytes
        return request
    }

    func run() throws {
        let options = try RunOptions(request: try request(), environment: ProcessInfo.processInfo.environment)
        let report = try BatchRun(
            options: options, processor: DropoutFileProcessor(zipLimits: limits.zipLimits),
            interruption: RunInterruption.handlingSignals(), returnsRecords: false
        ).run()
        if let code = report.interruptedExitCode { throw ExitCode(code) }
        if report.exitCode != 0 { throw FailuresReported(count: report.summary.arrayErrors) }
    }
}
