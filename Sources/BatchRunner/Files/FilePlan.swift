/// The processor's plan for one file: how many segments, and its own state.
public struct FilePlan<State: Sendable>: Sendable {
    /// Number of `process(segment:)` calls, at least 1.
    public var segmentCount: Int
    /// The processor's per-file state.
    public var state: State

    /// A plan; see the properties.
    public init(segmentCount: Int, state: State) {
        self.segmentCount = segmentCount
        self.state = state
    }
}
