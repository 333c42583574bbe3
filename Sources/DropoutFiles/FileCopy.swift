import NPDropCSupport
import NPDropPlatform
import NPYStream

/// Copies a file byte for byte without parsing it (a file carried over unchanged):
/// `copy_file_range(2)` first (in the kernel; a reflink on file systems that share extents),
/// read/write in 1 MiB chunks where the system refuses it (another file system, no such call).
///
/// Checksums: the read/write path records its bytes into both descriptors' digests as they
/// pass. `copy_file_range` passes no byte through this process, so when either descriptor has
/// a digest the range it copied is read back once, from the output when that descriptor can
/// read (so the output's checksum is of the bytes on disk), else from the input, and recorded
/// into both: one read instead of one per file, and the kernel copy (a reflink where there is
/// one) is kept.
public enum FileCopy {
    /// Copies every byte of `input` (from offset 0 to its end) into `output` from offset 0 and
    /// returns the byte count. Calls `checkpoint` before each chunk (it may throw to stop).
    /// Throws a `FileError` naming `name`.
    public static func copy(_ input: FileDescriptor, to output: FileDescriptor, name: String,
                            checkpoint: () throws -> Void = {}) throws -> Int64 {
        let size = Int64(try input.status().size)
        var inOffset: Int64 = 0
        var outOffset: Int64 = 0
        while inOffset < size {
            try checkpoint()
            let want = Int(min(size - inOffset, 64 << 20))
            let n = npdrop_copy_file_range(input.rawValue, &inOffset, output.rawValue, &outOffset, want)
            if n > 0 { continue }
            if n == 0 { break }  // the input got shorter; the read loop below finds its end
            let code = errno
            if code == EINTR { continue }
            if [ENOSYS, EXDEV, EINVAL, EOPNOTSUPP, EPERM, EBADF, ETXTBSY].contains(code) { break }
            throw FileError(path: name, underlying: NPYStreamError.system(operation: "copy", code: code))
        }
        // Read/write for what the kernel did not copy (all of it when it refused), up to EOF.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(max(4096, min(1 << 20, size - inOffset + 1))),
                                                            alignment: 64)
        defer { buffer.deallocate() }
        if inOffset > 0, input.digest != nil || output.digest != nil {
            try recordKernelCopy(inOffset, input: input, output: output, buffer: buffer)
        }
        while true {
            try checkpoint()
            let n = try input.pread(into: buffer, at: Int(inOffset))
            if n == 0 { break }
            try output.pwriteAll(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), at: Int(outOffset))
            inOffset += Int64(n)
            outOffset += Int64(n)
        }
        return outOffset
    }

    /// Records the first `count` bytes, copied by the kernel, into both digests: read once
    /// from the output (falling back to the input when the output descriptor cannot read).
    private static func recordKernelCopy(_ count: Int64, input: FileDescriptor, output: FileDescriptor,
                                         buffer: UnsafeMutableRawBufferPointer) throws {
        var source = output
        var other = input
        var offset = 0
        while offset < Int(count) {
            let want = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, Int(count) - offset)])
            let n: Int
            do {
                n = try source.preadUnrecorded(into: want, at: offset)
            } catch let error as FileError {
                guard offset == 0, source === output, case NPYStreamError.system(_, EBADF)? = error.underlying as? NPYStreamError
                else { throw error }
                (source, other) = (input, output)
                continue
            }
            if n == 0 { break }
            let piece = UnsafeRawBufferPointer(rebasing: want[0..<n])
            source.digest?.recordRead(piece, at: offset)
            other.digest?.recordRead(piece, at: offset)
            offset += n
        }
    }
}
