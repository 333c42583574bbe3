import Foundation

/// The shared work list: file tasks in their sorted order, plus segments of files already
/// prepared (taken first, so few files are open at once).
final class WorkQueue<Segment>: @unchecked Sendable {
    enum Item {
        case start(Int)
        case segment(Segment)
    }

    private let condition = NSCondition()
    private let taskCount: Int
    private let interruption: RunInterruption
    private var nextTask = 0
    private var segments: [Segment] = []
    private var head = 0
    private var preparing = 0

    init(taskCount: Int, interruption: RunInterruption) {
        self.taskCount = taskCount
        self.interruption = interruption
    }

    /// The next unit of work, waiting while a file being prepared may still add segments;
    /// nil when no work is left.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if head < segments.count {
                let segment = segments[head]
                head += 1
                if head == segments.count {
                    segments.removeAll(keepingCapacity: true)
                    head = 0
                }
                return .segment(segment)
            }
            if nextTask < taskCount && !interruption.isRequested {
                nextTask += 1
                preparing += 1
                return .start(nextTask - 1)
            }
            if preparing == 0 { return nil }
            condition.wait()
        }
    }

    /// Ends the preparation of a file started by `take`, queueing its other segments.
    func finishedPreparing(adding more: [Segment]) {
        condition.lock()
        preparing -= 1
        segments.append(contentsOf: more)
        condition.broadcast()
        condition.unlock()
    }
}
