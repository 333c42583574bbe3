import ArgumentParser
import BatchRunner

/// `npdrop status OUT`: per shard of a sharded OUT, tasks done of planned, errors, and whether
/// `merge-manifests` can run. Reads only; works while shards are running.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show how far the shards of a sharded OUT are and whether they can be merged.",
        discussion: """
            Reads OUT/manifest-shard-<I>-of-<N>.jsonl and the completion records \
            manifest-shard-<I>-of-<N>.state.json. One line per shard on stdout: complete, unfinished \
            (running or stopped), missing, mismatched (other settings or input) or changed, with tasks \
            done/planned and error records; then whether merge-manifests can run. Exit status: 0 when \
            the status could be read (whatever it says), 2 when OUT holds no shard manifest.
            """
    )

    @Argument(help: "The OUT directory the shards write to.")
    var output: String

    @Flag(help: "Print the status as one JSON object on standard output.")
    var json = false

    func run() throws {
        let status = try ShardSetStatus.read(outputDirectory: output)
        if json {
            print(status.json)
            return
        }
        for shard in status.shards {
            let total = shard.totalTasks.map(String.init) ?? "?"
            var line =
                "shard \(shard.shard): \(shard.state.rawValue), \(shard.doneTasks)/\(total) tasks, "
                + "\(CountText.of(shard.records, "record")), \(CountText.of(shard.errors, "error"))"
            if let problem = shard.problem, shard.state != .missing {
                line += " — " + problem.dropFirst("shard \(shard.shard): ".count)
            }
            print(line)
        }
        if let refusal = status.refusal {
            print("merge: not ready: " + refusal)
        } else {
            print("merge: ready (npdrop merge-manifests \(output))")
        }
    }
}
