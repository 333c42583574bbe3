import NPDropZlib

/// A zlib inflate stream (raw deflate by default, as zip uses). Owns its `z_stream`, freed on deinit.
public final class InflateStream {
    private let stream: UnsafeMutablePointer<z_stream>

    /// Starts a stream; `windowBits` -15 reads raw deflate. Throws `ZipError.zlib` if zlib refuses.
    public init(windowBits: Int = -15) throws(ZipError) {
        // Set up the z_stream before it becomes a property: a throwing init of a fully initialized
        // object runs deinit, which would free it a second time.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = npdrop_inflateInit2(stream, Int32(clamping: windowBits))
        guard status == Z_OK else {
            let message = zlibMessage(stream, code: status)
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw ZipError.zlib(operation: "inflateInit2", code: status, message: message)
        }
        self.stream = stream
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Total input bytes taken since init or `reset`.
    public var totalIn: UInt64 { UInt64(stream.pointee.total_in) }
    /// Total output bytes written since init or `reset`.
    public var totalOut: UInt64 { UInt64(stream.pointee.total_out) }

    /// Inflates from `input` into `output` with one `inflate` call (at most 1 GiB of each).
    /// A call that takes nothing and produces nothing without ending the stream means more input
    /// is needed (or more output space). Throws `ZipError.zlib` with zlib's message on corrupt data.
    public func process(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws(ZipError) -> ZlibProgress {
        let inCount = min(input.count, zlibMaxChunk)
        let outCount = min(output.count, zlibMaxChunk)
        stream.pointee.next_in = UnsafeMutablePointer(
            mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(inCount)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(outCount)
        let status = NPDropZlib.inflate(stream, Z_NO_FLUSH)
        let consumed = inCount - Int(stream.pointee.avail_in)
        let produced = outCount - Int(stream.pointee.avail_out)
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        switch status {
        case Z_OK, Z_BUF_ERROR:
            return ZlibProgress(consumed: consumed, produced: produced, streamEnded: false)
        case Z_STREAM_END:
            return ZlibProgress(consumed: consumed, produced: produced, streamEnded: true)
        default:
            throw ZipError.zlib(operation: "inflate", code: status, message: zlibMessage(stream, code: status))
        }
    }

    /// Returns the stream to its initial state (keeps its memory).
    public func reset() throws(ZipError) {
        let status = inflateReset(stream)
        guard status == Z_OK else {
            throw ZipError.zlib(operation: "inflateReset", code: status, message: zlibMessage(stream, code: status))
        }
    }
}
