import NPYFormat

/// Writes one `.npy` stream exactly as `np.save` would: the header at init, then data chunks.
///
/// Every error thrown is a `FileError` naming `name` (and `member`).
public final class NPYWriter {
    /// The header as written (np.save's fortran_order rule applied, version 1.0 unless too long).
    public let header: NPYHeader
    /// The file name used in messages.
    public let name: String
    /// The npz member name used in messages, if any.
    public let member: String?
    /// Data bytes accepted so far.
    public private(set) var dataBytesWritten = 0

    private let sink: any ByteSink

    /// Writes the `np.save` header for `dtype`, `shape` and memory order to `sink`.
    /// Throws `FileError` around `NPYFormatError.sizeOverflow` if the array size overflows `Int`,
    /// or around the sink's error.
    public init(
        sink: any ByteSink, dtype: DType, fortranOrder: Bool, shape: [Int], name: String, member: String? = nil
    ) throws {
        self.sink = sink
        self.name = name
        self.member = member
        _ = try FileError.wrapping(path: name, member: member) {
            try ArraySize.byteCount(shape: shape, itemSize: dtype.itemSize)
        }
        let bytes = NPYHeaderEncoder.encode(dtype: dtype, fortranOrder: fortranOrder, shape: shape)
        header = NPYHeaderEncoder.header(dtype: dtype, fortranOrder: fortranOrder, shape: shape)
        try FileError.wrapping(path: name, member: member) {
            try bytes.withUnsafeBytes { try sink.write($0) }
        }
    }

    /// Writes the header that `np.save` would write for an array described by `header`
    /// (its version and data offset are recomputed; dtype, order and shape are kept).
    public convenience init(sink: any ByteSink, like header: NPYHeader, name: String, member: String? = nil) throws {
        try self.init(
            sink: sink, dtype: header.dtype, fortranOrder: header.fortranOrder, shape: header.shape,
            name: name, member: member)
    }

    /// Data bytes still expected.
    public var dataBytesRemaining: Int { header.dataByteCount - dataBytesWritten }

    /// Appends `bytes` to the data. Throws `NPYStreamError.tooMuchData` (writing nothing) if they
    /// go past the size the header announces.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count <= dataBytesRemaining else {
            throw FileError(
                path: name, member: member,
                underlying: NPYStreamError.tooMuchData(
                    expected: header.dataByteCount, given: dataBytesWritten + bytes.count))
        }
        try FileError.wrapping(path: name, member: member) { try sink.write(bytes) }
        dataBytesWritten += bytes.count
    }

    /// Whether `writeInPlace` can lend the sink's memory (the sink is an `InPlaceByteSink` that
    /// lends it now).
    public var lendsMemory: Bool { (sink as? any InPlaceByteSink)?.lendsMemory ?? false }

    /// Lets `fill` write the next data bytes (at most `limit`, and no more than the header
    /// announces) straight into the sink's memory (`InPlaceByteSink.writeInPlace`); returns the
    /// count `fill` wrote. Returns 0 without calling `fill` when the sink lends no memory or no
    /// data byte remains. Throws `FileError` around the sink's errors and what `fill` throws.
    public func writeInPlace(limit: Int, _ fill: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Int {
        let allowed = min(limit, dataBytesRemaining)
        guard allowed > 0, let lender = sink as? any InPlaceByteSink, lender.lendsMemory else { return 0 }
        let written = try FileError.wrapping(path: name, member: member) {
            try lender.writeInPlace(limit: allowed, fill)
        }
        dataBytesWritten += written
        return written
    }

    /// Checks that exactly the announced number of data bytes was written.
    /// Throws `NPYStreamError.dataLengthMismatch` otherwise. Does not close the sink.
    public func finish() throws {
        guard dataBytesWritten == header.dataByteCount else {
            throw FileError(
                path: name, member: member,
                underlying: NPYStreamError.dataLengthMismatch(
                    expected: header.dataByteCount, written: dataBytesWritten))
        }
    }
}

extension NPYReader {
    /// Streams the remaining data into `writer` through `buffer` (one chunk at a time), then
    /// calls `writer.finish()`. Memory use is the buffer, whatever the array size.
    public func copyData(to writer: NPYWriter, using buffer: UnsafeMutableRawBufferPointer) throws {
        while true {
            let count = try readChunk(into: buffer)
            if count == 0 { break }
            try writer.write(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
        try writer.finish()
    }
}
