import ArgumentParser
import BatchRunner
import NPDropPlatform

/// `npdrop merge-manifests OUT`: joins the shard manifests of a sharded run into
/// `OUT/manifest.jsonl`, equal byte for byte to the manifest of the same run on one machine —
/// only when every shard is complete; otherwise one line per shard to rerun, exit 1. With
/// `--wait S` it first polls, up to S seconds, until every shard is complete.
struct MergeManifestsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-manifests",
        abstract: "Merge OUT/manifest-shard-<I>-of-<N>.jsonl into OUT/manifest.jsonl.",
        discussion: """
            Every shard 0..N-1 of one N must be complete (its completion record \
            manifest-shard-<I>-of-<N>.state.json says so; a shard with error records is complete) and \
            of the same settings and input; otherwise nothing is written, each shard to rerun is named on \
            stderr, and the exit status is 1. The shard files are left in place.
            """
    )

    /// Seconds between two looks at OUT while waiting.
    static let pollSeconds = 2

    @Argument(help: "The OUT directory the shards wrote to.")
    var output: String

    @Option(
        name: .customLong("wait"),
        help: ArgumentHelp(
            "Wait up to this many seconds for every shard to complete (looking every 2 s), then merge or refuse.",
            valueName: "seconds"))
    var waitSeconds = 0

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        guard waitSeconds >= 0 else { throw ValidationError("--wait must be 0 or more seconds, found \(waitSeconds)") }
    }

    func run() throws {
        try waitForCompleteShards()
        let count: Int
        do {
            count = try ManifestFiles.merge(outputDirectory: output)
        } catch let incomplete as IncompleteShards {
            for line in incomplete.lines { ErrorReporting.printError(line) }
            throw FailuresReported(count: incomplete.lines.count)
        }
        if !quiet { ErrorReporting.printError("merged \(CountText.of(count, "record")) into \(output)/manifest.jsonl") }
    }

    /// Returns once every shard is complete or `waitSeconds` have passed (at once when 0).
    /// An OUT with no shard manifest yet counts as not complete while waiting.
    private func waitForCompleteShards() throws {
        let deadline = ContinuousClock.now + .seconds(waitSeconds)
        while ContinuousClock.now < deadline {
            if let status = try? ShardSetStatus.read(outputDirectory: output), status.canMerge { return }
            sleep(UInt32(Self.pollSeconds))
        }
    }
}
