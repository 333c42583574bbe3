import NPDropZlib

/// A zlib deflate stream (raw deflate by default, as zip uses). Owns its `z_stream`, freed on deinit.
public final class DeflateStream {
    private let stream: UnsafeMutablePointer<z_stream>

    /// Starts a stream. `level` -1...9 (-1 = zlib default 6), `windowBits` -15 for raw deflate
    /// (zip, `zipfile`), `memLevel` 8 as zlib and Python use. Throws `ZipError.zlib` if zlib refuses.
    public init(level: Int = -1, windowBits: Int = -15, memLevel: Int = 8) throws(ZipError) {
        // Set up the z_stream before it becomes a property: a throwing init of a fully initialized
        // object runs deinit, which would free it a second time.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = npdrop_deflateInit2(
            stream, Int32(clamping: level), Z_DEFLATED, Int32(clamping: windowBits), Int32(clamping: memLevel),
            Z_DEFAULT_STRATEGY)
        guard status == Z_OK else {
            let message = zlibMessage(stream, code: status)
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw ZipError.zlib(operation: "deflateInit2", code: status, message: message)
        }
        self.stream = stream
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Total input bytes taken since init or `reset`.
    public var totalIn: UInt64 { UInt64(stream.pointee.total_in) }
    /// Total output bytes written since init or `reset`.
    public var totalOut: UInt64 { UInt64(stream.pointee.total_out) }

    /// Compresses from `input` into `output` with one `deflate` call (at most 1 GiB of each).
    /// With `.none` it may take input without producing output. With `.sync`/`.full`/`.finish`,
    /// call again with the remaining input and more output space while output is filled completely
    /// (or, for `.finish`, until `streamEnded`).
    public func process(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, flush: DeflateFlush
    ) throws(ZipError) -> ZlibProgress {
        let inCount = min(input.count, zlibMaxChunk)
        let outCount = min(output.count, zlibMaxChunk)
        stream.pointee.next_in = UnsafeMutablePointer(
            mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(inCount)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(outCount)
        let status = NPDropZlib.deflate(stream, flush.zlibValue)
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
            throw ZipError.zlib(operation: "deflate", code: status, message: zlibMessage(stream, code: status))
        }
    }

    /// Primes the history with `dictionary` (at most the last 32 KiB count), as pigz does so a block
    /// deflated on its own can refer back into the previous block. Call before the first `process`.
    public func setDictionary(_ dictionary: UnsafeRawBufferPointer) throws(ZipError) {
        let tail = UnsafeRawBufferPointer(rebasing: dictionary[max(0, dictionary.count - 32_768)...])
        let status = deflateSetDictionary(
            stream, tail.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(tail.count))
        guard status == Z_OK else {
            throw ZipError.zlib(
                operation: "deflateSetDictionary", code: status, message: zlibMessage(stream, code: status))
        }
    }

    /// zlib's `deflateBound`: the most output one `.finish` call can produce for `sourceLength` input
    /// bytes at this stream's settings.
    public func bound(sourceLength: Int) -> Int {
        Int(deflateBound(stream, uLong(max(0, sourceLength))))
    }

    /// Returns the stream to its initial state with the same parameters (keeps its memory).
    public func reset() throws(ZipError) {
        let status = deflateReset(stream)
        guard status == Z_OK else {
            throw ZipError.zlib(operation: "deflateReset", code: status, message: zlibMessage(stream, code: status))
        }
    }
}
