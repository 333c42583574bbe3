import NPYStream

/// One worker's reusable memory for the dropout pipeline: a data chunk and a keep-flag chunk
/// of `chunkBytes` bytes each, allocated once (64-byte aligned). Not thread-safe: give every
/// worker its own.
public final class DropoutScratch {
    /// Bytes in each of the two buffers.
    public let chunkBytes: Int
    private let data: ChunkBuffer
    private let keep: ChunkBuffer

    /// The largest element (`c16`), so any chunk holds at least one element.
    public static let minimumChunkBytes = 16

    /// Allocates `2 * chunkBytes` bytes. Traps when `chunkBytes < minimumChunkBytes`.
    public init(chunkBytes: Int = NPYStreamDefaults.chunkSize) {
        precondition(chunkBytes >= Self.minimumChunkBytes, "a chunk must hold the largest element")
        self.chunkBytes = chunkBytes
        data = ChunkBuffer(count: chunkBytes)
        keep = ChunkBuffer(count: chunkBytes)
    }

    /// Gives `body` the data buffer and the keep buffer; the pointers must not escape the call.
    public func withBuffers<R>(
        _ body: (UnsafeMutableRawBufferPointer, UnsafeMutableBufferPointer<UInt8>) throws -> R
    ) rethrows -> R {
        try data.withUnsafeMutableBytes { dataBytes in
            try keep.withUnsafeMutableBytes { keepBytes in
                try body(dataBytes, keepBytes.bindMemory(to: UInt8.self))
            }
        }
    }
}
