import NPDropPlatform

/// How a member is deflated in independent blocks on several threads, pigz-style. The bytes written
/// depend only on the data, the level and `blockSize`; `threads` changes the speed, never the bytes.
public struct ParallelDeflateOptions: Sendable, Hashable {
    /// Input bytes per block when none is given: 1 MiB (chosen by measurement, see docs/npz.md).
    public static let defaultBlockSize = 1 << 20
    /// Block sizes accepted by `ZipArchiveWriter.beginMember`: at least deflate's 32 KiB window (each
    /// block's dictionary is the end of the one before), at most 64 MiB (memory is a few blocks).
    public static let blockSizeRange = 32_768...(64 << 20)
    /// The most threads used for one member; larger requests are lowered to this.
    public static let maxThreads = 64

    /// Uncompressed bytes per independently deflated block (the last one may be shorter). Part of
    /// the output format: a different block size gives different (equally valid) bytes.
    public let blockSize: Int
    /// Blocks compressed at the same time, 1...`maxThreads`. Never changes the output bytes.
    public let threads: Int

    /// `threads` below 1 is raised to 1 and above `maxThreads` lowered to it (only speed depends on
    /// it). A `blockSize` outside `blockSizeRange` is refused by `ZipArchiveWriter.beginMember`.
    public init(
        blockSize: Int = ParallelDeflateOptions.defaultBlockSize,
        threads: Int = ParallelDeflateOptions.defaultThreads
    ) {
        self.blockSize = blockSize
        self.threads = min(max(threads, 1), Self.maxThreads)
    }

    /// The number of processors online (`sysconf(_SC_NPROCESSORS_ONLN)`), at least 1.
    public static var defaultThreads: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}
