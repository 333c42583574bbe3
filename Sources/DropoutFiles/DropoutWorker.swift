import DropoutEngine
import NPYStream

/// One worker's reusable memory: the engine's scratch (data and keep chunks) and a buffer for
/// copying npz members unchanged. Never shared between threads.
public final class DropoutWorker {
    /// The engine's chunk buffers.
    public let scratch: DropoutScratch
    /// Buffer for members copied unchanged.
    public let copyBuffer: ChunkBuffer

    /// Allocates `3 * chunkBytes` bytes.
    public init(chunkBytes: Int) {
        scratch = DropoutScratch(chunkBytes: chunkBytes)
        copyBuffer = ChunkBuffer(count: chunkBytes)
    }
}
