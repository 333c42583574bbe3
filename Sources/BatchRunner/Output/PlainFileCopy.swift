import NPDropCSupport
import NPYStream

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Copies a file that is carried over unchanged (not an array npdrop transforms) byte for
/// byte into its temporary output: `copy_file_range(2)` first (in the kernel; a reflink on
/// file systems that share extents), read/write in 1 MiB chunks where the system refuses it
/// (another file system, no such call). The file is never parsed.
enum PlainFileCopy {
    /// Copies every byte of `input` (open, read from offset 0) into `output` from offset 0.
    /// Returns the bytes copied. Throws `RunnerError.io` naming `name` (the input's relpath).
    static func copy(_ input: FileDescriptor, name: String, to output: OutputFile) throws -> Int64 {
        let size = Int64(try RunnerFS.mappingErrors { try input.status().size })
        var inOffset: Int64 = 0
        var outOffset: Int64 = 0
        var kernelCopy = true
        while kernelCopy && inOffset < size {
            try output.checkWritable()
            let want = Int(min(size - inOffset, 64 << 20))
            let n = npdrop_copy_file_range(input.rawValue, &inOffset, output.descriptor.rawValue, &outOffset, want)
            if n > 0 { continue }
            if n == 0 { break }  // the input got shorter; the read loop below finds its end
            let code = errno
            if code == EINTR { continue }
            if code == ENOSYS || code == EXDEV || code == EINVAL || code == EOPNOTSUPP || code == EPERM || code == EBADF {
                kernelCopy = false
                break
            }
            throw RunnerError.io(path: name, operation: "copy", errno: code)
        }
        // Read/write for what the kernel did not copy (all of it when it refused), up to EOF.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = try RunnerFS.mappingErrors { try input.pread(into: buffer, at: Int(inOffset)) }
            if n == 0 { break }
            try output.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), at: outOffset)
            inOffset += Int64(n)
            outOffset += Int64(n)
        }
        return outOffset
    }
}
