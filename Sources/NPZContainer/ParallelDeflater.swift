/// Deflates one member pigz-style: the input is cut into fixed-size blocks, each deflated on its own
/// (previous block's last 32 KiB as dictionary, sync flush, the last block finished), and the
/// compressed blocks are handed to `emit` in order on the writing thread. The concatenation is one
/// raw deflate stream. Each block's CRC-32 is computed with its compression and joined in order
/// (`checksum`), so no pass over the data stays on the writing thread but a copy.
///
/// Threads: up to `threads - 1` Dispatch workers compress submitted blocks; the writing thread is
/// the last one: whenever it would wait (window full, or at the end) it compresses the oldest
/// queued block itself. So `threads: 1` compresses everything on the writing thread, and the member
/// progresses even when Dispatch gives no worker.
///
/// Determinism: a block is cut only when it is full *and* a later byte exists, so block boundaries
/// depend only on the member's length; each block's bytes depend only on its input, its dictionary
/// the engine and the level. Neither `threads`, nor the caller's write sizes, nor timing change a byte. A member
/// of at most one block is deflated as a single `Z_FINISH` stream: the same bytes as `DeflateStream`
/// (and `np.savez_compressed`) give.
///
/// Memory: at most `threads + 2` blocks exist (input up to `blockSize`, output up to `deflateBound`,
/// and a deflate state each), taken from `DeflateBlockPool` as they are first needed, reused block
/// after block, and given back to the pool for the next member once none is in use.
final class ParallelDeflater {
    private let engine: DeflateEngine
    private let level: Int
    private let blockSize: Int
    private let windowCount: Int
    private let queue: DeflateWorkQueue
    /// Ring of blocks; `blocks[filling]` receives input, the `pending` ones before it (in ring
    /// order, oldest at `oldest`) are submitted and not yet emitted.
    private var blocks: [DeflateBlock] = []
    private var filling = 0
    private var oldest = 0
    private var pending = 0
    private var finished = false
    /// CRC-32 of the input of the blocks emitted so far (block CRCs joined with `CRC32.combine`).
    private(set) var checksum: UInt32 = 0

    /// Prepares the first block; `level` is zlib's (unused by ISA-L, always its level 1). Throws
    /// `ZipError.zlib` if zlib cannot start a stream at `level`.
    init(engine: DeflateEngine = .zlib, level: Int, options: ParallelDeflateOptions) throws(ZipError) {
        self.engine = engine
        self.level = level
        self.blockSize = options.blockSize
        self.windowCount = options.threads + 2
        self.queue = DeflateWorkQueue(maxWorkers: options.threads - 1)
        blocks.append(try DeflateBlockPool.shared.take(engine: engine, level: level, blockSize: blockSize))
        blocks[0].start(after: nil)
    }

    deinit {
        // A pending block may still be compressing on a worker (a failed member): let it go.
        guard pending == 0 else { return }
        DeflateBlockPool.shared.giveBack(blocks, engine: engine, level: level, blockSize: blockSize)
    }

    /// Blocks allocated so far (at most `threads + 2`).
    var allocatedBlocks: Int { blocks.count }

    /// Takes all of `bytes`; may submit full blocks and emit finished ones (in order). When every
    /// block of the window is in use, compresses a queued block on this thread or waits for one.
    func write(
        _ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws(ZipError) -> Void
    ) throws(ZipError) {
        var rest = bytes
        while !rest.isEmpty {
            if blocks[filling].remaining == 0 { try submitAndAdvance(emit: emit) }
            let taken = blocks[filling].append(rest)
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
        }
    }

    /// Submits the last block (possibly empty), completes every pending block and emits them in order.
    func finish(emit: (UnsafeRawBufferPointer) throws(ZipError) -> Void) throws(ZipError) {
        guard !finished else { return }
        finished = true
        blocks[filling].isLast = true
        submit(blocks[filling])
        while pending > 0 { try emitOldest(wait: true, emit: emit) }
    }

    // MARK: - Private

    /// Submits the full block being filled and moves to the next one, whose dictionary is the end of
    /// this one; frees a block by emitting the oldest when the window is full.
    private func submitAndAdvance(emit: (UnsafeRawBufferPointer) throws(ZipError) -> Void) throws(ZipError) {
        let submitted = filling
        submit(blocks[submitted])
        // Emit whatever is ready in order, without waiting.
        while pending > 0, try emitOldest(wait: false, emit: emit) {}
        let next = (submitted + 1) % windowCount
        if next == blocks.count {
            blocks.append(try DeflateBlockPool.shared.take(engine: engine, level: level, blockSize: blockSize))
        } else if pending == windowCount {
            // Every block is pending, the next one is the oldest: complete and emit it.
            try emitOldest(wait: true, emit: emit)
        }
        filling = next
        blocks[filling].start(after: blocks[submitted])
    }

    private func submit(_ block: DeflateBlock) {
        pending += 1
        queue.submit(block)
    }

    /// Emits the oldest pending block if it is done; with `wait`, first completes it, compressing
    /// queued blocks (oldest first) on this thread while any are left. Returns whether it emitted.
    @discardableResult
    private func emitOldest(
        wait: Bool, emit: (UnsafeRawBufferPointer) throws(ZipError) -> Void
    ) throws(ZipError) -> Bool {
        let block = blocks[oldest]
        if block.finished.wait(timeout: .now()) == .timedOut {
            guard wait else { return false }
            while block.finished.wait(timeout: .now()) == .timedOut {
                guard let queued = queue.takeForCaller() else {
                    // Every submitted block is running on a worker: this one will be signalled.
                    block.finished.wait()
                    break
                }
                queued.compressAndSignal()
            }
        }
        oldest = (oldest + 1) % windowCount
        pending -= 1
        if let failure = block.failure { throw failure }
        checksum = CRC32.combine(checksum, block.inputCRC, lengthOfB: UInt64(block.inputCount))
        try emit(block.compressed)
        return true
    }
}
