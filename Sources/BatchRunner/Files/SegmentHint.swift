/// How the runner would like large files split.
public struct SegmentHint: Sendable, Hashable {
    /// Aim for segments of about this many data bytes; don't split files smaller than this.
    public let preferredSegmentBytes: Int
    /// Worker threads of the run.
    public let workers: Int

    /// A hint; see the properties.
    public init(preferredSegmentBytes: Int, workers: Int) {
        self.preferredSegmentBytes = preferredSegmentBytes
        self.workers = workers
    }
}
