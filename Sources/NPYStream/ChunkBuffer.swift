/// Sizes shared by everything that streams array data.
public enum NPYStreamDefaults {
    /// Bytes per chunk when reading or writing array data (1 MiB).
    public static let chunkSize = 1 << 20
    /// Alignment of chunk buffers, so kernels can load any element type from them.
    public static let chunkAlignment = 64
}

/// One reusable, 64-byte-aligned chunk of memory; allocate one per worker and reuse it.
public final class ChunkBuffer {
    /// Size in bytes.
    public let count: Int
    private let storage: UnsafeMutableRawBufferPointer

    /// Allocates `count` bytes (uninitialised contents are zero-filled once).
    public init(count: Int = NPYStreamDefaults.chunkSize) {
        precondition(count > 0, "chunk size must be positive")
        self.count = count
        storage = .allocate(byteCount: count, alignment: NPYStreamDefaults.chunkAlignment)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        storage.deallocate()
    }

    /// Gives `body` the whole buffer; the pointer must not escape the call.
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(storage)
    }
}
