/// Deflates one member pigz-style: the input is cut into fixed-size blocks, each deflated on its own
/// (previous block's last 32 KiB as dictionary, sync flush, the last block finished), and the
/// compressed blocks are handed to `emit` in order. The concatenation is one raw deflate stream.
/// Each block's CRC-32 is computed with its compression and joined in order (`checksum`).
///
/// Threads: up to `threads - 1` Dispatch workers compress submitted blocks; the writing thread is
/// the last one: whenever it would wait (window full, or at the end) it compresses the oldest
/// queued block itself. So `threads: 1` compresses everything on the writing thread, and the member
/// progresses even when Dispatch gives no worker. `emit` runs on the thread that finished the block
/// next in line (`DeflateBlockEmitter`), one call at a time and in order: with workers, mostly on
/// them, so the writing thread only copies its bytes into blocks. An `emit` or compression failure
/// is thrown by the next `write` or `finish`.
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
    private let emitter: DeflateBlockEmitter
    private let queue: DeflateWorkQueue
    /// Ring of blocks; `blocks[filling]` receives input, the `pending` ones before it (in ring
    /// order, oldest at `oldest`) are submitted and not yet seen released.
    private var blocks: [DeflateBlock] = []
    private var filling = 0
    private var oldest = 0
    private var pending = 0
    private var submitted = 0
    private var finished = false

    /// Prepares the first block; `level` is zlib's (unused by ISA-L, always its level 1). `emit`
    /// receives the compressed blocks in order, possibly on another thread (one call at a time).
    /// Throws `ZipError.zlib` if zlib cannot start a stream at `level`.
    init(
        engine: DeflateEngine = .zlib, level: Int, options: ParallelDeflateOptions,
        emit: @escaping DeflateBlockEmitter.Emit
    ) throws(ZipError) {
        self.engine = engine
        self.level = level
        self.blockSize = options.blockSize
        self.windowCount = options.threads + 2
        let emitter = DeflateBlockEmitter(capacity: options.threads + 2, emit: emit)
        self.emitter = emitter
        self.queue = DeflateWorkQueue(maxWorkers: options.threads - 1) { emitter.completed($0) }
        blocks.append(try DeflateBlockPool.shared.take(engine: engine, level: level, blockSize: blockSize))
        blocks[0].start(after: nil)
    }

    deinit {
        // An abandoned (or failed) member: nothing is written any more, and a pending block may
        // still be compressing on a worker: let it go.
        emitter.cancel()
        guard pending == 0 else { return }
        DeflateBlockPool.shared.giveBack(blocks, engine: engine, level: level, blockSize: blockSize)
    }

    /// Stops emitting: blocks compressed from now on are dropped. Returns once no thread is inside
    /// `emit`, so its target may go away.
    func abandon() {
        emitter.cancel()
    }

    /// Blocks allocated so far (at most `threads + 2`).
    var allocatedBlocks: Int { blocks.count }

    /// CRC-32 of the input of the blocks emitted so far; the member's once `finish` returned.
    var checksum: UInt32 { emitter.checksum }

    /// Compressed bytes emitted so far; the member's once `finish` returned.
    var compressedCount: UInt64 { emitter.compressedCount }

    /// Takes all of `bytes`; may submit full blocks. When every block of the window is in use,
    /// compresses a queued block on this thread or waits for one. Throws the first failure of a
    /// block's compression or of `emit`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(ZipError) {
        var rest = bytes
        while !rest.isEmpty {
            if blocks[filling].remaining == 0 { try submitAndAdvance() }
            let taken = blocks[filling].append(rest)
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
        }
    }

    /// Lends room for the next bytes (at most `limit`: the rest of the block being filled, or a
    /// whole new block) to `fill`, which writes n bytes at its start and returns n; they count
    /// as if given to `write`. Returns n (0 when `limit` is 0). A full block is cut only here, when
    /// more bytes are about to come, so block boundaries stay as `write` makes them.
    func writeInPlace(limit: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Int) throws(ZipError) -> Int {
        guard limit > 0 else { return 0 }
        if blocks[filling].remaining == 0 { try submitAndAdvance() }
        return blocks[filling].fillInPlace(limit: limit, fill)
    }

    /// Submits the last block (possibly empty) and returns once every block has been emitted.
    /// Throws the first failure of a block's compression or of `emit`.
    func finish() throws(ZipError) {
        guard !finished else { return }
        finished = true
        blocks[filling].isLast = true
        submit(blocks[filling])
        while pending > 0 { retireOldest(wait: true) }
        if let failure = emitter.failure { throw failure }
    }

    // MARK: - Private

    /// Submits the full block being filled and moves to the next one, whose dictionary is the end of
    /// this one; waits for the oldest block to be released when the window is full.
    private func submitAndAdvance() throws(ZipError) {
        let current = filling
        submit(blocks[current])
        if let failure = emitter.failure { throw failure }
        // Take back whatever is released, without waiting.
        while pending > 0, retireOldest(wait: false) {}
        let next = (current + 1) % windowCount
        if next == blocks.count {
            blocks.append(try DeflateBlockPool.shared.take(engine: engine, level: level, blockSize: blockSize))
        } else if pending == windowCount {
            // Every block is pending, the next one is the oldest: wait until it is written.
            retireOldest(wait: true)
            if let failure = emitter.failure { throw failure }
        }
        filling = next
        blocks[filling].start(after: blocks[current])
    }

    private func submit(_ block: DeflateBlock) {
        block.sequence = submitted
        submitted += 1
        pending += 1
        queue.submit(block)
    }

    /// Takes back the oldest pending block if it has been released; with `wait`, first waits for
    /// that, compressing queued blocks (oldest first) on this thread while any are left. Returns
    /// whether it took one back.
    @discardableResult
    private func retireOldest(wait: Bool) -> Bool {
        let block = blocks[oldest]
        if block.released.wait(timeout: .now()) == .timedOut {
            guard wait else { return false }
            while block.released.wait(timeout: .now()) == .timedOut {
                guard queue.compressOneForCaller() else {
                    // Every submitted block is running on some thread: this one will be released.
                    block.released.wait()
                    break
                }
            }
        }
        oldest = (oldest + 1) % windowCount
        pending -= 1
        return true
    }
}
