import NPYFormat

/// Reads a file, pipe or stdin front to back; never seeks, so it works on non-seekable inputs.
public final class FileByteSource: ByteSource {
    /// The descriptor read from or written to.
    public let descriptor: FileDescriptor

    /// Uses `descriptor` from its current position.
    public init(descriptor: FileDescriptor) {
        self.descriptor = descriptor
    }

    /// Opens `path` for reading, or borrows stdin for `-`.
    public static func open(_ path: String) throws -> FileByteSource {
        FileByteSource(descriptor: path == "-" ? .standardInput() : try .openForReading(path))
    }

    /// One `read` call (interrupts retried); returns 0 only at end of input.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try descriptor.read(into: buffer)
    }
}

/// Writes to a file, pipe or stdout front to back; short writes and interrupts are retried.
public final class FileByteSink: ByteSink {
    /// The descriptor read from or written to.
    public let descriptor: FileDescriptor

    /// Uses `descriptor` from its current position.
    public init(descriptor: FileDescriptor) {
        self.descriptor = descriptor
    }

    /// Writes all of `bytes` or throws a `FileError`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try descriptor.writeAll(bytes)
    }
}

/// Reads the byte range `offset..<offset+length` of a file with positioned reads, leaving the
/// descriptor's position alone, so several workers can read one file at once.
/// Ends early (returns 0) if the file is shorter than the range.
///
/// With `readAhead`, a read asking for fewer bytes fetches up to `readAhead` bytes of the range
/// in one `pread` and serves the following small reads from them (an `.npy` header's three
/// reads become one system call).
public final class FileRegionSource: ByteSource {
    /// The descriptor read with `pread`.
    public let descriptor: FileDescriptor
    /// File offset of the next byte to read.
    public private(set) var position: Int
    /// File offset just past the range.
    public let end: Int
    private let readAhead: Int
    /// Bytes of the file from offset `aheadStart`, fetched ahead and not yet handed out past `position`.
    private var ahead: [UInt8] = []
    private var aheadStart = 0

    /// The range of `length` bytes starting at file offset `offset`.
    public init(descriptor: FileDescriptor, offset: Int, length: Int, readAhead: Int = 0) {
        precondition(offset >= 0 && length >= 0, "region must be non-negative")
        self.descriptor = descriptor
        self.position = offset
        self.end = offset + length
        self.readAhead = readAhead
    }

    /// Fills `buffer` from the range (up to its end); returns 0 at the end of the range or file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let wanted = min(buffer.count, end - position)
        guard wanted > 0 else { return 0 }
        if position >= aheadStart + ahead.count, wanted < readAhead {
            try fetchAhead()
        }
        let held = aheadStart + ahead.count - position
        if held > 0 {
            let count = min(wanted, held)
            ahead.withUnsafeBytes { bytes in
                buffer.copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: bytes[(position - aheadStart)...].prefix(count)))
            }
            position += count
            return count
        }
        let got = try descriptor.pread(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]), at: position)
        position += got
        return got
    }

    /// Fetches up to `readAhead` bytes from `position` (fewer at the end of the range or file).
    private func fetchAhead() throws {
        let count = min(readAhead, end - position)
        if ahead.count != count { ahead = [UInt8](repeating: 0, count: count) }
        let got = try ahead.withUnsafeMutableBytes { try descriptor.pread(into: $0, at: position) }
        if got < count { ahead.removeLast(count - got) }
        aheadStart = position
    }
}
