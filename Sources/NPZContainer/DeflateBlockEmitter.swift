import Dispatch
import NPDropPlatform

/// Hands a member's compressed blocks to the archive in order, on whichever thread finished the
/// block that is next in line: a Dispatch worker usually, so the archive writes (and whatever
/// the destination does with them: checksums, the copy into the file) run beside the thread that
/// produces the member's bytes instead of on it. One thread emits at a time (`emitting`); a block
/// finished out of order waits in `ready` for the emitting thread to reach it. Each block's
/// `released` is signalled once it was written (or, after a failure or `cancel()`, dropped), and
/// only then may the writing thread reuse it.
///
/// The first failure (a block's compression, or `emit`) is kept: later blocks are dropped, and
/// the writing thread throws it (`failure`) at its next call.
final class DeflateBlockEmitter: @unchecked Sendable {
    /// Writes compressed bytes to the archive; called by one thread at a time, blocks in order.
    typealias Emit = (UnsafeRawBufferPointer) throws(ZipError) -> Void

    private let mutex = PlatformMutex()
    private let emit: Emit
    /// Compressed blocks not yet emitted, at `sequence % ready.count`.
    private var ready: [DeflateBlock?]
    /// Sequence number of the next block to emit.
    private var next = 0
    private var emitting = false
    private var cancelled = false
    /// Signalled when the emitting thread stops, for `cancel()`.
    private var stopWaiter: DispatchSemaphore?
    private var firstFailure: ZipError?
    private var crc: UInt32 = 0
    private var compressed: UInt64 = 0

    /// `capacity`: the most blocks in flight at once (submitted and not yet released).
    init(capacity: Int, emit: @escaping Emit) {
        self.emit = emit
        self.ready = [DeflateBlock?](repeating: nil, count: capacity)
    }

    /// The first failure, if any.
    var failure: ZipError? { mutex.locked { firstFailure } }
    /// CRC-32 of the input of the blocks emitted so far (block CRCs joined with `CRC32.combine`).
    var checksum: UInt32 { mutex.locked { crc } }
    /// Compressed bytes emitted so far.
    var compressedCount: UInt64 { mutex.locked { compressed } }

    /// Takes `block`, just compressed by the calling thread; if no thread is emitting, the calling
    /// thread emits every block that is ready in order, this one included when its turn has come.
    func completed(_ block: DeflateBlock) {
        let becameEmitter = mutex.locked { () -> Bool in
            ready[block.sequence % ready.count] = block
            guard !emitting else { return false }
            emitting = true
            return true
        }
        guard becameEmitter else { return }
        while let item = takeNext() {
            let block = item.block
            if item.write {
                do throws(ZipError) {
                    if let failure = block.failure { throw failure }
                    try emit(block.compressed)
                    mutex.locked {
                        crc = CRC32.combine(crc, block.inputCRC, lengthOfB: UInt64(block.inputCount))
                        compressed += UInt64(block.compressed.count)
                    }
                } catch {
                    mutex.locked { if firstFailure == nil { firstFailure = error } }
                }
            }
            block.released.signal()
        }
    }

    /// Stops emitting: blocks finished from now on are released unwritten. Returns once no thread
    /// is inside `emit` any more (so the archive is not written after the member was abandoned).
    func cancel() {
        let waiter = mutex.locked { () -> DispatchSemaphore? in
            cancelled = true
            guard emitting else { return nil }
            let waiter = DispatchSemaphore(value: 0)
            stopWaiter = waiter
            return waiter
        }
        waiter?.wait()
    }

    /// The next block in line if it is ready (and whether to write it), else nil after giving up
    /// the emitting role.
    private func takeNext() -> (block: DeflateBlock, write: Bool)? {
        mutex.locked { () -> (block: DeflateBlock, write: Bool)? in
            let slot = next % ready.count
            guard let block = ready[slot], block.sequence == next else {
                emitting = false
                stopWaiter?.signal()
                stopWaiter = nil
                return nil
            }
            ready[slot] = nil
            next += 1
            return (block, !cancelled && firstFailure == nil)
        }
    }
}
