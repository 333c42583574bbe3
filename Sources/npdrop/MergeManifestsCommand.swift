import ArgumentParser
import BatchRunner

/// `npdrop merge-manifests OUT`: joins the shard manifests of a sharded run into
/// `OUT/manifest.jsonl`, equal byte for byte to the manifest of the same run on one machine.
struct MergeManifestsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-manifests",
        abstract: "Merge OUT/manifest-shard-<I>-of-<N>.jsonl into OUT/manifest.jsonl.",
        discussion: "Every shard 0..N-1 of one N must be present and complete; the shard files are left in place."
    )

    @Argument(help: "The OUT directory the shards wrote to.")
    var output: String

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func run() throws {
        let count = try ManifestFiles.merge(outputDirectory: output)
        if !quiet { ErrorReporting.printError("merged \(count) records into \(output)/manifest.jsonl") }
    }
}
