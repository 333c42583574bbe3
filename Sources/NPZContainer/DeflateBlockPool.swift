import NPDropPlatform

/// Idle `DeflateBlock`s kept for the next member, so a run of many members reuses the same block
/// buffers and deflate states instead of allocating (and faulting in) about 2 MiB per block for each
/// member. Blocks are kept per (engine, level, block size): a block's buffers and state fit only those.
///
/// A block only returns here once its last compression has been emitted (no thread uses it), and
/// every block is `start`ed before it is filled again, so reuse never changes a byte. At most
/// `maxIdleBlocks` are kept; the rest are freed as before.
final class DeflateBlockPool: @unchecked Sendable {
    /// The process-wide pool used by `ParallelDeflater`.
    static let shared = DeflateBlockPool()

    /// Idle blocks kept at most (all keys together): 2 MiB-and-a-bit each at the default block size.
    static let maxIdleBlocks = 32

    private struct Key: Hashable {
        let engine: DeflateEngine
        let level: Int
        let blockSize: Int
    }

    private let mutex = PlatformMutex()
    private var idle: [Key: [DeflateBlock]] = [:]
    private var idleCount = 0

    /// An idle block for (engine, level, blockSize), or a new one. Throws `ZipError.zlib` if zlib
    /// cannot start a stream at `level`.
    func take(engine: DeflateEngine, level: Int, blockSize: Int) throws(ZipError) -> DeflateBlock {
        let key = Key(engine: engine, level: level, blockSize: blockSize)
        let reused = locked { () -> DeflateBlock? in
            guard let block = idle[key]?.popLast() else { return nil }
            idleCount -= 1
            return block
        }
        if let reused { return reused }
        return try DeflateBlock(engine: engine, level: level, blockSize: blockSize)
    }

    /// Keeps `blocks` (made by `take` with these parameters, none in use by any thread) for later
    /// members, up to `maxIdleBlocks`.
    func giveBack(_ blocks: [DeflateBlock], engine: DeflateEngine, level: Int, blockSize: Int) {
        let key = Key(engine: engine, level: level, blockSize: blockSize)
        locked {
            for block in blocks where idleCount < Self.maxIdleBlocks {
                idle[key, default: []].append(block)
                idleCount += 1
            }
        }
    }

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        try mutex.locked(body)
    }
}
