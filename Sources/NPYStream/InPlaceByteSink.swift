/// A `ByteSink` that can lend the memory its next bytes go to (e.g. a deflate block's input), so a
/// producer writes them there instead of into a buffer of its own that the sink then copies.
public protocol InPlaceByteSink: ByteSink {
    /// Whether `writeInPlace` lends memory now; when false, use `write`.
    var lendsMemory: Bool { get }

    /// Lends room for the sink's next bytes (at least 1, at most `limit` bytes) to `fill`, which
    /// writes the first n bytes of it and returns n (0...room.count); those n bytes are then the
    /// sink's next bytes, exactly as if they had been passed to `write`. Returns n. The room is
    /// valid only during the call. Throws what `fill` throws (nothing of the room is kept) or what
    /// `write` would throw.
    func writeInPlace(limit: Int, _ fill: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Int
}
