import Dispatch
import NPDropPlatform

/// Submitted blocks that no thread has started yet, shared by the writing thread and at most
/// `maxWorkers` Dispatch workers. Whoever takes a block compresses it and signals its completion;
/// the writing thread takes blocks itself instead of waiting idle, so the member always progresses
/// even when Dispatch starts no worker (e.g. the caller is itself one of a saturated pool's threads).
final class DeflateWorkQueue: @unchecked Sendable {
    private let mutex = PlatformMutex()
    private var waiting: [DeflateBlock] = []
    private var workers = 0
    private let maxWorkers: Int

    /// `maxWorkers` 0 means the writing thread compresses every block itself.
    init(maxWorkers: Int) {
        self.maxWorkers = maxWorkers
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
                block.compressAndSignal()
            }
        }
    }

    /// Takes the oldest queued block for the calling thread to compress, or nil if every submitted
    /// block has been started (then each is running on some thread and will be signalled).
    func takeForCaller() -> DeflateBlock? {
        locked { waiting.isEmpty ? nil : waiting.removeFirst() }
    }

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        try mutex.locked(body)
    }
}
