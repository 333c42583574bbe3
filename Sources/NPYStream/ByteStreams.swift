/// A sequential source of bytes: a file, a pipe, or a member of an npz archive.
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer` and returns how many were read;
    /// returns 0 only at the end of the source. Throws on an I/O or format error.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A sequential sink of bytes: a file, a pipe, or a member being written into an npz archive.
public protocol ByteSink: AnyObject {
    /// Writes all of `bytes` (short writes are retried inside), or throws.
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

extension ByteSource {
    /// Reads until `buffer` is full or the source ends; returns the number of bytes read.
    public func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            filled += n
        }
        return filled
    }
}
