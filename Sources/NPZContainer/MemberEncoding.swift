/// How the members of an archive npdrop writes are encoded. Chosen from options only — never from
/// thread counts or timing — so an output's bytes depend on its data and these settings alone.
public struct MemberEncoding: Sendable, Hashable {
    /// Stored or deflated: like the input member, always deflated (`--compress`), always stored (`--store`).
    public enum Compression: String, Sendable, Hashable, CaseIterable {
        case input, deflate, store
    }

    /// zlib levels accepted: -1 (zlib's default, 6, what `np.savez_compressed` uses) through 9.
    public static let levels = -1...9

    /// The one compression-level check: nil when `level` is one of `levels`, else the one
    /// message, `--compression-level must be between -1 and 9, found 12`, with the setting
    /// named as the reader knows it (`name`).
    public static func levelProblem(_ level: Int, name: String = "compression level") -> String? {
        levels.contains(level)
            ? nil : "\(name) must be between \(levels.lowerBound) and \(levels.upperBound), found \(level)"
    }

    /// Stored or deflated.
    public var compression: Compression
    /// zlib level for deflated members; nil for zlib's default. Unused by ISA-L (always its level 1).
    public var level: Int?
    /// Deflated members are compressed in independent blocks of this many input bytes on several
    /// threads (pigz-style; with zlib a member of at most one block is the bytes
    /// `np.savez_compressed` writes); nil deflates each member as one zlib stream on one thread
    /// (always `np.savez_compressed`'s bytes at the default level).
    public var deflateBlockSize: Int?
    /// The library deflating the blocks; ignored without `deflateBlockSize` (zlib's single stream).
    public var engine: DeflateEngine

    /// Deflated members in 1 MiB ISA-L blocks by default.
    public init(
        compression: Compression = .input, level: Int? = nil,
        deflateBlockSize: Int? = ParallelDeflateOptions.defaultBlockSize, engine: DeflateEngine = .isal
    ) {
        self.compression = compression
        self.level = level
        self.deflateBlockSize = deflateBlockSize
        self.engine = engine
    }

    /// The engine deflated members are written with: ISA-L only for block deflate.
    public var effectiveEngine: DeflateEngine { deflateBlockSize == nil ? .zlib : engine }

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
    public func writeMethod(
        forInput method: ZipMethod,
        threads: Int = ParallelDeflateOptions.defaultThreads
    ) -> ZipWriteMethod {
        guard deflates(inputMethod: method) else { return .stored }
        guard let deflateBlockSize else { return .deflated(level: level ?? -1) }
        switch engine {
        case .isal: return .isalBlocks(blockSize: deflateBlockSize, threads: threads)
        case .zlib: return .parallelDeflated(level: level ?? -1, blockSize: deflateBlockSize, threads: threads)
        }
    }

    /// This encoding as this machine can keep its promise: zlib blocks instead of ISA-L ones when
    /// ISA-L fails the known-answer check against `expected` (then `fallback` is true). Runs the
    /// check only when ISA-L blocks could be written; the committed answer is checked once per process.
    public func checkedForThisMachine(
        expected: IsalKnownAnswer.Answer = IsalKnownAnswer.committed
    ) -> (encoding: MemberEncoding, fallback: Bool) {
        guard compression != .store, effectiveEngine == .isal else { return (self, false) }
        guard !IsalKnownAnswer.matches(expected) else { return (self, false) }
        var zlibBlocks = self
        zlibBlocks.engine = .zlib
        return (zlibBlocks, true)
    }

    /// The one line printed when `checkedForThisMachine` falls back to zlib blocks: what this
    /// machine's ISA-L gave against `expected`.
    public static func fallbackMessage(expected: IsalKnownAnswer.Answer = IsalKnownAnswer.committed) -> String {
        "warning: this machine's ISA-L \(DeflateEngine.isalVersion) does not give the known deflate bytes "
            + "(\(IsalKnownAnswer.observation(expecting: expected)), expected \(expected)); writing zlib blocks for this run"
    }
}
