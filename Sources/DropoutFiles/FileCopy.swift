import NPDropCSupport
import NPDropPlatform
import NPYFormat
import NPYStream

/// Copies a file byte for byte without parsing it (a file carried over unchanged):
/// `copy_file_range(2)` first when the sink is a file (in the kernel; a reflink on file systems
/// that share extents), read/write in 1 MiB chunks through the sink where the system refuses it
/// (another file system, no such call) or the sink is not a file (`verify` compares).
///
/// Checksums: the read/write path passes its bytes through `input.pread` and `output.write`,
/// which checksum them when they have digests. `copy_file_range` passes none through this
/// process, so the sink is told what the kernel copied (`kernelCopied`): it reads that range
/// back once and records it for both sides — one read, and the kernel copy (a reflink where the
/// file system shares extents) is kept.
public enum FileCopy {
    /// Copies every byte of `input` (from offset 0 to its end) into `output` from offset 0 and
    /// returns the byte count. Calls `checkpoint` before each chunk (it may throw to stop).
    /// Throws a `FileError` naming `name`.
    public static func copy(
        _ input: FileDescriptor, to output: any OutputSink, name: String,
        checkpoint: () throws -> Void = {}
    ) throws -> Int64 {
        let size = Int64(try input.status().size)
        var inOffset: Int64 = 0
        var outOffset: Int64 = 0
        while inOffset < size, let kernelOutput = output.descriptorForKernelCopy {
            try checkpoint()
            let want = Int(min(size - inOffset, 64 << 20))
            let n = npdrop_copy_file_range(input.rawValue, &inOffset, kernelOutput.rawValue, &outOffset, want)
            if n > 0 { continue }
            if n == 0 { break }  // the input got shorter; the read loop below finds its end
            let code = errno
            if code == EINTR { continue }
            if [ENOSYS, EXDEV, EINVAL, EOPNOTSUPP, EPERM, EBADF, ETXTBSY].contains(code) { break }
            throw FileError(path: name, underlying: NPYStreamError.system(operation: "copy", code: code))
        }
        // No byte the kernel copied passed through this process: a sink that checksums learns them now.
        if inOffset > 0 { try output.kernelCopied(Int(inOffset), from: input) }
        // Read/write for what the kernel did not copy (all of it when it refused), up to EOF.
        let buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: Int(max(4096, min(1 << 20, size - inOffset + 1))),
            alignment: 64)
        defer { buffer.deallocate() }
        while true {
            try checkpoint()
            let n = try input.pread(into: buffer, at: Int(inOffset))
            if n == 0 { break }
            try output.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), at: Int(outOffset))
            inOffset += Int64(n)
            outOffset += Int64(n)
        }
        return outOffset
    }
}
