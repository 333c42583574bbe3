/// What `npdrop verify INPUT OUT` needs.
public struct VerifyOptions: Sendable {
    /// The INPUT the run was made from.
    public var input: String
    /// The run's OUT.
    public var output: String
    /// Worker threads.
    public var jobs: Int
    /// No progress or summary on stderr (mismatches are still printed).
    public var quiet: Bool
    /// Print the summary as JSON on stdout.
    public var json: Bool
    /// Segment size hint passed to the processor.
    public var segmentBytes: Int
    /// `--quick`: check every output's size and CRC-32C against its record instead of
    /// re-deriving it.
    public var quick: Bool = false

    /// Options; see the properties.
    public init(
        input: String, output: String, jobs: Int = RunOptions.defaultJobs, quiet: Bool = false,
        json: Bool = false, segmentBytes: Int = RunOptions.defaultSegmentBytes
    ) {
        self.input = input
        self.output = output
        self.jobs = jobs
        self.quiet = quiet
        self.json = json
        self.segmentBytes = segmentBytes
    }
}
