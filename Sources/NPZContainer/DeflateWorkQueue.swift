import Dispatch
import NPDropPlatform

/// Submitted blocks that no thread has started yet, shared by the writing thread and at most
/// `maxWorkers` Dispatch workers. Whoever takes a block compresses it and hands it to `completed`
/// (the member's `DeflateBlockEmitter`); the writing thread takes blocks itself instead of waiting
/// idle, so the member always progresses even when Dispatch starts no worker (e.g. the caller is
/// itself one of a saturated pool's threads).
final class DeflateWorkQueue: @unchecked Sendable {
    private let mutex = PlatformMutex()
    private var waiting: [DeflateBlock] = []
    private var workers = 0
    private let maxWorkers: Int
    private let completed: @Sendable (DeflateBlock) -> Void

    /// `maxWorkers` 0 means the writing thread compresses every block itself. `completed` gets
    /// each block once compressed, on the thread that compressed it.
    init(maxWorkers: Int, completed: @escaping @Sendable (DeflateBlock) -> Void) {
        self.maxWorkers = maxWorkers
        self.completed = completed
    }

    /// Queues `block` and starts a Dispatch worker for it if fewer than `maxWorkers` are running.
    func submit(_ block: DeflateBlock) {
        let startWorker = locked { () -> Bool in
            waiting.append(block)
            guard workers < maxWorkers else { return false }
            workers += 1
            return true
        }
        guard startWorker else { return }
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            // Compress queued blocks until none is left, then retire.
            while let block = locked({ () -> DeflateBlock? in
                if waiting.isEmpty {
                    workers -= 1
                    return nil
                }
                return waiting.removeFirst()
            }) {
                block.compress()
                completed(block)
            }
        }
    }

    /// Compresses the oldest queued block on the calling thread (and hands it to `completed`);
    /// returns false if every submitted block has been started (then each is running on some
    /// thread and will be released).
    func compressOneForCaller() -> Bool {
        guard let block = locked({ waiting.isEmpty ? nil : waiting.removeFirst() }) else { return false }
        block.compress()
        completed(block)
        return true
    }

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        try mutex.locked(body)
    }
}
