import Dispatch

extension NPYFileJob {
    /// Processes every segment on `workers` Dispatch threads (each with its own buffers of
    /// `chunkBytes`), for a caller that runs this one file alone (`npdrop apply`). The bytes are
    /// those of any other split. Throws the first segment's error (in segment order) after
    /// every worker stopped; the targets are then incomplete.
    public func processAllSegments(workers: Int, chunkBytes: Int) throws {
        let threads = max(1, min(workers, segmentCount))
        let next = Locked(0)
        let failures = Locked<[(segment: Int, error: any Error)]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let worker = DropoutWorker(chunkBytes: chunkBytes)
            while true {
                let segment = next.withLock { value -> Int in
                    defer { value += 1 }
                    return value
                }
                guard segment < segmentCount, failures.withLock({ $0.isEmpty }) else { return }
                do {
                    try process(segment: segment, worker: worker)
                } catch {
                    failures.withLock { $0.append((segment, error)) }
                }
            }
        }
        if let first = failures.withLock({ $0 }).min(by: { $0.segment < $1.segment }) {
            throw first.error
        }
    }
}
