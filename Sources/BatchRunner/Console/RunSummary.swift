/// The numbers of a finished run, printed as one line on stderr (unless `--quiet`) and as
/// JSON on stdout with `--json`.
public struct RunSummary: Sendable, Hashable {
    /// Input files this run covers (after sharding).
    public var files: Int
    /// File tasks (file × copy) processed by this run.
    public var tasks: Int
    /// File tasks skipped because `--resume` found them complete.
    public var resumedTasks: Int
    /// Manifest records: all arrays of the run, by status.
    public var arrays: Int
    /// Records with status `ok`.
    public var arraysOK: Int
    /// Records with status `copied`.
    public var arraysCopied: Int
    /// Records with status `error`.
    public var arrayErrors: Int
    /// Walk entries skipped by design (symlinks, special files).
    public var skipped: Int
    /// Input bytes read by the tasks of this run.
    public var bytesRead: Int64
    /// Wall-clock seconds.
    public var seconds: Double
    /// The run seed.
    public var seed: UInt64
    /// `I/N`, or nil for an unsharded run.
    public var shard: String?
    /// 0, or 1 when any array failed.
    public var exitCode: Int32

    /// Input bytes per second.
    public var throughput: Double { seconds > 0 ? Double(bytesRead) / seconds : 0 }

    /// `npdrop: 3 files, 5 arrays (4 ok, 1 copied, 0 errors), 1.20 MB read in 0.50 s (2.40 MB/s), seed 7`.
    public var line: String {
        var text = CountText.of(files, "file")
        if resumedTasks > 0 { text += " (\(resumedTasks) resumed)" }
        if let shard { text += " in shard \(shard)" }
        text +=
            ", \(CountText.of(arrays, "array")) (\(arraysOK) ok, \(arraysCopied) copied, \(CountText.of(arrayErrors, "error")))"
        text += ", \(HumanUnits.bytes(Double(bytesRead))) read in \(HumanUnits.fixed(seconds, digits: 2)) s"
        text += " (\(HumanUnits.bytes(throughput))/s), seed \(seed)"
        return text
    }

    /// One JSON object, keys in a fixed order, seed as an exact integer.
    public var json: String {
        JSONText.object([
            ("files", JSONText.integer(files)),
            ("tasks", JSONText.integer(tasks)),
            ("resumed_tasks", JSONText.integer(resumedTasks)),
            ("arrays", JSONText.integer(arrays)),
            ("ok", JSONText.integer(arraysOK)),
            ("copied", JSONText.integer(arraysCopied)),
            ("errors", JSONText.integer(arrayErrors)),
            ("skipped", JSONText.integer(skipped)),
            ("bytes_read", JSONText.integer(bytesRead)),
            ("seconds", JSONText.number(seconds)),
            ("bytes_per_second", JSONText.number(throughput)),
            ("seed", JSONText.integer(seed)),
            ("shard", JSONText.string(shard)),
            ("exit_code", JSONText.integer(exitCode)),
        ])
    }
}
