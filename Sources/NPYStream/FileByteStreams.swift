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
public final class FileRegionSource: ByteSource {
    /// The descriptor read with `pread`.
    public let descriptor: FileDescriptor
    /// File offset of the next byte to read.
    public private(set) var position: Int
    /// File offset just past the range.
    public let end: Int

    /// The range of `length` bytes starting at file offset `offset`.
    public init(descriptor: FileDescriptor, offset: Int, length: Int) {
        precondition(offset >= 0 && length >= 0, "region must be non-negative")
        self.descriptor = descriptor
        self.position = offset
        self.end = offset + length
    }

    /// Fills `buffer` from the range (up to its end); returns 0 at the end of the range or file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let wanted = min(buffer.count, end - position)
        guard wanted > 0 else { return 0 }
        let got = try descriptor.pread(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]), at: position)
        position += got
        return got
    }
}
