/// A file whose segments are being processed.
final class InFlightFile<State: Sendable>: Sendable {
    let taskIndex: Int
    let task: FileTask
    let plan: FilePlan<State>
    let outputs: FileOutputs
    private struct Progress {
        var remaining: Int
        var failure: (member: String?, message: String)?
    }
    private let progress: Locked<Progress>

    init(taskIndex: Int, task: FileTask, plan: FilePlan<State>, outputs: FileOutputs) {
        self.taskIndex = taskIndex
        self.task = task
        self.plan = plan
        self.outputs = outputs
        progress = Locked(Progress(remaining: plan.segmentCount, failure: nil))
    }

    var hasFailed: Bool { progress.withLock { $0.failure != nil } }

    /// Records a failure (the first one is kept).
    func fail(_ error: any Error) {
        let failure = failureDescription(error)
        progress.withLock { if $0.failure == nil { $0.failure = failure } }
    }

    /// Marks one segment done; true for the caller that completed the last one.
    func completeSegment() -> Bool {
        progress.withLock { state in
            state.remaining -= 1
            return state.remaining == 0
        }
    }

    var failure: (member: String?, message: String)? { progress.withLock { $0.failure } }
}
