/// How the members of an archive npdrop writes are encoded. Chosen from options only — never from
/// thread counts or timing — so an output's bytes depend on its data and these settings alone.
public struct MemberEncoding: Sendable, Hashable {
    /// Stored or deflated: like the input member, always deflated (`--compress`), always stored (`--store`).
    public enum Compression: String, Sendable, Hashable, CaseIterable {
        case input, deflate, store
    }

    /// zlib levels accepted: -1 (zlib's default, 6, what `np.savez_compressed` uses) through 9.
    public static let levels = -1...9

    /// Stored or deflated.
    public var compression: Compression
    /// zlib level for deflated members; nil for zlib's default.
    public var level: Int?
    /// Deflated members are compressed in independent blocks of this many input bytes on several
    /// threads (pigz-style; a member of at most one block is the bytes `np.savez_compressed` writes);
    /// nil deflates each member as one stream on one thread (always `np.savez_compressed`'s bytes).
    public var deflateBlockSize: Int?

    /// Deflated members in 1 MiB blocks by default.
    public init(compression: Compression = .input, level: Int? = nil,
                deflateBlockSize: Int? = ParallelDeflateOptions.defaultBlockSize) {
        self.compression = compression
        self.level = level
        self.deflateBlockSize = deflateBlockSize
    }

    /// Whether a member stored in the input with `method` is written deflated.
    public func deflates(inputMethod method: ZipMethod) -> Bool {
        switch compression {
        case .input: return method == .deflated
        case .deflate: return true
        case .store: return false
        }
    }

    /// How to write a member whose input was stored with `method`; block deflate uses up to
    /// `threads` threads (which changes the speed, never the bytes).
    public func writeMethod(forInput method: ZipMethod,
                            threads: Int = ParallelDeflateOptions.defaultThreads) -> ZipWriteMethod {
        guard deflates(inputMethod: method) else { return .stored }
        guard let deflateBlockSize else { return .deflated(level: level ?? -1) }
        return .parallelDeflated(level: level ?? -1, blockSize: deflateBlockSize, threads: threads)
    }
}
