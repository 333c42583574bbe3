import ArgumentParser
import BatchRunner

/// `npdrop merge-manifests OUT`: joins the shard manifests of a sharded run into
/// `OUT/manifest.jsonl`, equal byte for byte to the manifest of the same run on one machine —
/// only when every shard is complete; otherwise one line per shard to rerun, exit 1.
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

    @Argument(help: "The OUT directory the shards wrote to.")
    var output: String

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func run() throws {
        let count: Int
        do {
            count = try ManifestFiles.merge(outputDirectory: output)
        } catch let incomplete as IncompleteShards {
            for line in incomplete.lines { ErrorReporting.printError(line) }
            throw FailuresReported(count: incomplete.lines.count)
        }
        if !quiet { ErrorReporting.printError("merged \(count) records into \(output)/manifest.jsonl") }
    }
}
