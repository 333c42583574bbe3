import NPDropCSupport
import NPDropPlatform
import NPYStream

/// The size and CRC-32C of a file's bytes, as a manifest record keeps them for its input and
/// its outputs (`--resume` compares sizes, `verify --quick` checksums).
public struct FileDigest: Sendable, Hashable {
    /// Bytes in the file.
    public var size: Int64
    /// CRC-32C (Castagnoli) of every byte.
    public var crc32c: UInt32

    /// A digest; see the properties.
    public init(size: Int64, crc32c: UInt32) {
        self.size = size
        self.crc32c = crc32c
    }

    /// Extends `crc` by `bytes` (CRC-32C; 0 for no bytes yet).
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return crc }
        return npdrop_crc32c(crc, base, bytes.count)
    }

    /// Reads `descriptor` from offset 0 to its end in chunks of at most 1 MiB and returns its
    /// digest. Throws `RunnerError.io` naming `name`.
    static func of(_ descriptor: FileDescriptor, name: String) throws -> FileDigest {
        let size = try RunnerFS.mappingErrors { try descriptor.status().size }
        let chunk = max(1, min(size, 1 << 20))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 64)
        defer { buffer.deallocate() }
        var crc: UInt32 = 0
        var offset = 0
        while true {
            let n = try RunnerFS.mappingErrors { try descriptor.pread(into: buffer, at: offset) }
            if n == 0 { break }
            crc = update(crc, UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            offset += n
        }
        return FileDigest(size: Int64(offset), crc32c: crc)
    }

    /// The digest of the file at `path` (nil when it is missing).
    static func of(path: String) throws -> FileDigest? {
        let descriptor: FileDescriptor
        do {
            descriptor = try RunnerFS.open(path, flags: O_RDONLY, operation: "open")
        } catch RunnerError.io(_, _, let code) where code == ENOENT {
            return nil
        }
        return try of(descriptor, name: path)
    }
}

/// What a record keeps of its input file to tell, on `--resume`, whether it changed.
public struct InputState: Sendable, Hashable {
    /// Size in bytes.
    public var size: Int64
    /// Modification time, nanoseconds since the epoch.
    public var modificationTimeNanoseconds: Int64
    /// CRC-32C of the bytes read, or nil when not computed.
    public var crc32c: UInt32?

    /// A state; see the properties.
    public init(size: Int64, modificationTimeNanoseconds: Int64, crc32c: UInt32?) {
        self.size = size
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
        self.crc32c = crc32c
    }

    /// Size and modification time of `path` now (symlinks not followed); nil when missing.
    static func current(_ path: String) -> InputState? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return InputState(size: Int64(info.st_size), modificationTimeNanoseconds: nanoseconds(info), crc32c: nil)
    }

    /// Size, modification time and CRC-32C of the open input `descriptor`.
    static func read(_ descriptor: FileDescriptor, name: String) throws -> InputState {
        var info = stat()
        guard fstat(descriptor.rawValue, &info) == 0 else {
            throw RunnerError.io(path: name, operation: "stat", errno: errno)
        }
        let digest = try FileDigest.of(descriptor, name: name)
        return InputState(size: digest.size, modificationTimeNanoseconds: nanoseconds(info), crc32c: digest.crc32c)
    }

    /// Size and modification time of the input at `path` now (`stat`), and the CRC-32C of its
    /// bytes from what `digest` recorded while the job read them; bytes it did not record (all
    /// of them without a digest) are read back. Throws `RunnerError.io` naming `name`.
    static func streamed(_ path: String, name: String, digest: ByteRangeDigest?) throws -> InputState {
        var info = stat()
        guard stat(path, &info) == 0 else { throw RunnerError.io(path: name, operation: "stat", errno: errno) }
        let size = Int(info.st_size)
        var reader: FileDescriptor?
        let crc = try RunnerFS.mappingErrors {
            try (digest ?? ByteRangeDigest()).crc32c(size: size) { buffer, offset in
                if reader == nil { reader = try RunnerFS.open(path, flags: O_RDONLY, operation: "open", name: name) }
                return try reader!.preadUnrecorded(into: buffer, at: offset)
            }
        }
        return InputState(size: Int64(size), modificationTimeNanoseconds: nanoseconds(info), crc32c: crc)
    }

    static func nanoseconds(_ info: stat) -> Int64 {
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        return Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec)
    }
}
