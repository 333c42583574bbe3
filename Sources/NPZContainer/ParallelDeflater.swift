import Dispatch

/// Deflates one member pigz-style: the input is cut into fixed-size blocks, each deflated on its own
/// (previous block's last 32 KiB as dictionary, sync flush, the last block finished) on up to
/// `threads` Dispatch workers, and the compressed blocks are handed to `emit` in order on the
/// caller's thread. The concatenation is one raw deflate stream.
///
/// Determinism: a block is cut only when it is full *and* a later byte exists, so block boundaries
/// depend only on the member's length; each block's bytes depend only on its input, its dictionary
/// and the level. Neither `threads`, nor the caller's write sizes, nor timing change a byte. A member
/// of at most one block is deflated as a single `Z_FINISH` stream: the same bytes as `DeflateStream`
/// (and `np.savez_compressed`) give.
///
/// Memory: at most `threads + 2` blocks exist (input up to `blockSize`, output up to `deflateBound`,
/// and a deflate state each), created as they are first needed and reused after.
final class ParallelDeflater {
    private let level: Int
    private let blockSize: Int
    private let threads: Int
    private let windowCount: Int
    /// Ring of blocks; `blocks[filling]` receives input, the `pending` ones before it (in ring
    /// order, oldest at `oldest`) are submitted and not yet emitted.
    private var blocks: [DeflateBlock] = []
    private var done: [DispatchSemaphore] = []
    private var filling = 0
    private var oldest = 0
    private var pending = 0
    /// Compressions running or queued; the caller takes one before submitting and a worker returns it.
    private let workerTokens: DispatchSemaphore
    private var finished = false

    /// Prepares the first block. Throws `ZipError.zlib` if zlib cannot start a stream at `level`.
    init(level: Int, options: ParallelDeflateOptions) throws(ZipError) {
        self.level = level
        self.blockSize = options.blockSize
        self.threads = options.threads
        self.windowCount = options.threads + 2
        self.workerTokens = DispatchSemaphore(value: options.threads)
        try addBlock()
        blocks[0].start(after: nil)
    }

    /// Takes all of `bytes`; may submit full blocks and emit finished ones (in order). Blocks the
    /// calling thread only while every block of the window is in use.
    func write(_ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws(ZipError) -> Void) throws(ZipError) {
        var rest = bytes
        while !rest.isEmpty {
            if blocks[filling].remaining == 0 { try submitAndAdvance(emit: emit) }
            let taken = blocks[filling].append(rest)
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
        }
    }

    /// Submits the last block (possibly empty), waits for every pending block and emits them in order.
    func finish(emit: (UnsafeRawBufferPointer) throws(ZipError) -> Void) throws(ZipError) {
        guard !finished else { return }
        finished = true
        blocks[filling].isLast = true
        submit(filling)
        while pending > 0 { try emitOldest(wait: true, emit: emit) }
    }

    /// Blocks allocated so far (at most `threads + 2`).
    var allocatedBlocks: Int { blocks.count }

    // MARK: - Private

    /// Submits the full block being filled and moves to the next one, whose dictionary is the end of
    /// this one; frees a block by emitting the oldest when the window is full.
    private func submitAndAdvance(emit: (UnsafeRawBufferPointer) throws(ZipError) -> Void) throws(ZipError) {
        let submitted = filling
        submit(submitted)
        // Emit whatever is ready in order, without waiting.
        while pending > 0, try emitOldest(wait: false, emit: emit) {}
        let next = (submitted + 1) % windowCount
        if next == blocks.count, blocks.count < windowCount {
            try addBlock()
        } else if pending == windowCount {
            // The next block is the oldest pending one: wait for it.
            try emitOldest(wait: true, emit: emit)
        }
        filling = next
        blocks[filling].start(after: blocks[submitted])
    }

    private func submit(_ index: Int) {
        let block = blocks[index]
        let signal = done[index]
        let tokens = workerTokens
        tokens.wait()
        pending += 1
        DispatchQueue.global(qos: .userInitiated).async {
            block.compress()
            signal.signal()
            tokens.signal()
        }
    }

    /// Emits the oldest pending block if it is done (waiting for it when `wait`); returns whether it did.
    @discardableResult
    private func emitOldest(wait: Bool, emit: (UnsafeRawBufferPointer) throws(ZipError) -> Void) throws(ZipError) -> Bool {
        let signal = done[oldest]
        if wait {
            signal.wait()
        } else if signal.wait(timeout: .now()) == .timedOut {
            return false
        }
        let block = blocks[oldest]
        oldest = (oldest + 1) % windowCount
        pending -= 1
        if let failure = block.failure { throw failure }
        try emit(block.compressed)
        return true
    }

    private func addBlock() throws(ZipError) {
        blocks.append(try DeflateBlock(level: level, blockSize: blockSize))
        done.append(DispatchSemaphore(value: 0))
    }
}
