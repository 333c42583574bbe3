/// What a finished run reports.
public struct RunReport: Sendable {
    /// The numbers printed at the end.
    public var summary: RunSummary
    /// The final manifest, sorted: what `manifest.jsonl` holds at the end, read back from it
    /// (the run itself never holds every record); empty when the runner was made with
    /// `returnsRecords: false` (the command line, where it would cost memory per file).
    public var records: [ManifestRecord]
    /// 0 when every array succeeded, 1 when any failed.
    public var exitCode: Int32 { summary.exitCode }
    /// 128 + the signal number when a signal stopped the run, else nil.
    public var interruptedExitCode: Int32?
}
