/// What `npdrop verify` found.
public struct VerifyReport: Sendable {
    /// Manifest records checked (the latest record of each array).
    public var records: Int
    /// File tasks re-derived.
    public var files: Int
    /// One line per mismatch, sorted.
    public var mismatches: [String]
    /// Wall-clock seconds.
    public var seconds: Double

    /// 0 when everything matched, 1 otherwise.
    public var exitCode: Int32 { mismatches.isEmpty ? 0 : 1 }

    /// `verify: 12 records in 5 files: all match` or `... 2 mismatches`.
    public var line: String {
        let verdict =
            mismatches.isEmpty ? "all match" : CountText.of(mismatches.count, "mismatch", plural: "mismatches")
        return "verify: \(CountText.of(records, "record")) in \(CountText.of(files, "file")): \(verdict) "
            + "(\(HumanUnits.fixed(seconds, digits: 2)) s)"
    }

    /// The summary as one JSON object.
    public var json: String {
        JSONText.object([
            ("records", JSONText.integer(records)),
            ("files", JSONText.integer(files)),
            ("mismatches", "[" + mismatches.map { JSONText.string($0) }.joined(separator: ",") + "]"),
            ("seconds", JSONText.number(seconds)),
            ("exit_code", JSONText.integer(exitCode)),
        ])
    }
}
