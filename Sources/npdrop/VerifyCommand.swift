import ArgumentParser
import BatchRunner

/// `npdrop verify INPUT OUT`: re-derives every record of OUT's manifest from INPUT and compares
/// the result and mask files byte for byte; one line per mismatch on stderr, exit 1 if any.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-derive every record of OUT's manifest from INPUT and compare the bytes.",
        discussion:
            "Reads OUT/manifest.jsonl (or the union of its shard manifests). Exit status: 0 everything matches, 1 a mismatch (each printed, naming the file), 2 usage error."
    )

    @Argument(help: "The INPUT the run was made from.")
    var input: String

    @Argument(help: "The run's OUT directory.")
    var output: String

    @Option(help: "Worker threads (default: the number of active cores).")
    var jobs: Int?

    @OptionGroup(title: "Input limits")
    var limits: InputLimitsOptionGroup

    @Flag(help: "Check every output's size and CRC-32C against its record instead of re-deriving it (reads OUT only).")
    var quick = false

    @Flag(help: "No progress line and no summary (mismatches are still printed).")
    var quiet = false

    @Flag(help: "Print the summary as one JSON object on standard output.")
    var json = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, found \(jobs)") }
    }

    func run() throws {
        var options = VerifyOptions(
            input: input, output: output, jobs: jobs ?? RunOptions.defaultJobs, quiet: quiet, json: json)
        options.quick = quick
        let report = try BatchVerifier(options: options, processor: DropoutFileProcessor(zipLimits: limits.zipLimits))
            .run()
        if report.exitCode != 0 { throw FailuresReported(count: report.mismatches.count) }
    }
}
