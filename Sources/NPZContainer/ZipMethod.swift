/// A zip compression method id as stored in the archive (APPNOTE 4.4.5).
public struct ZipMethod: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The 16-bit method field.
    public let rawValue: UInt16

    /// Wraps any method id (unknown ones are refused when a member is opened).
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// Method 0: the bytes are stored as they are.
    public static let stored = ZipMethod(rawValue: 0)
    /// Method 8: raw deflate (RFC 1951).
    public static let deflated = ZipMethod(rawValue: 8)

    /// The id followed by the method's name where it is a known one, e.g. `12 (bzip2)`.
    public var description: String {
        let names: [UInt16: String] = [
            0: "stored", 1: "shrunk", 2: "reduced-1", 3: "reduced-2", 4: "reduced-3", 5: "reduced-4",
            6: "imploded", 8: "deflate", 9: "deflate64", 10: "PKWARE DCL imploded", 12: "bzip2",
            14: "lzma", 16: "IBM z/OS CMPSC", 18: "IBM TERSE", 19: "IBM LZ77", 20: "zstd (old id)",
            93: "zstd", 94: "mp3", 95: "xz", 96: "jpeg", 97: "wavpack", 98: "ppmd", 99: "AE-x encryption",
        ]
        if let name = names[rawValue] { return "\(rawValue) (\(name))" }
        return "\(rawValue)"
    }
}

/// How the writer stores a member: as is (`np.savez`) or deflated (`np.savez_compressed`).
public struct ZipWriteMethod: Sendable, Hashable {
    /// The method id written to the headers.
    public let method: ZipMethod
    /// zlib compression level, -1 (zlib's default, 6) through 9, or `DeflateEngine.isalLevel` for
    /// ISA-L; unused for stored members.
    public let level: Int
    /// The library that deflates: ISA-L only with `parallel` (block deflate); zlib otherwise.
    public let engine: DeflateEngine
    /// For a deflated member: deflate it in independent blocks on several threads (pigz-style), or
    /// as one stream (nil, the bytes `np.savez_compressed` writes).
    public let parallel: ParallelDeflateOptions?

    /// Store bytes uncompressed, as `np.savez` does.
    public static let stored = ZipWriteMethod(method: .stored, level: 0)
    /// Deflate at zlib's default level, as `np.savez_compressed` does.
    public static let deflated = ZipWriteMethod(method: .deflated, level: -1)

    /// Deflate at `level` (-1 for zlib's default, 0 = deflate's stored blocks, 1 fastest ... 9 smallest).
    /// An out-of-range level is reported by `ZipArchiveWriter.beginMember` as `.invalidCompressionLevel`.
    public static func deflated(level: Int) -> ZipWriteMethod {
        ZipWriteMethod(method: .deflated, level: level)
    }

    /// Deflate at `level` in blocks of `blockSize` input bytes compressed on up to `threads` threads,
    /// each block primed with the previous 32 KiB and sync-flushed, so the member is one deflate
    /// stream any unzip reads. The bytes depend on the data, `level` and `blockSize` only — never on
    /// `threads` or write sizes. A member of at most `blockSize` bytes gets the same bytes as
    /// `deflated(level:)` (so as `np.savez_compressed` at the default level); a longer one differs
    /// by a few bytes per block, and inflates to the same data.
    /// A `blockSize` outside `ParallelDeflateOptions.blockSizeRange` is refused by `beginMember` as `.misuse`.
    public static func parallelDeflated(
        level: Int = -1, blockSize: Int = ParallelDeflateOptions.defaultBlockSize,
        threads: Int = ParallelDeflateOptions.defaultThreads
    ) -> ZipWriteMethod {
        ZipWriteMethod(
            method: .deflated, level: level, engine: .zlib,
            parallel: ParallelDeflateOptions(blockSize: blockSize, threads: threads))
    }

    /// Deflate with ISA-L level 1 in blocks of `blockSize` input bytes on up to `threads` threads,
    /// as `parallelDeflated` does with zlib (the same block scheme, one deflate stream any unzip
    /// reads). The bytes depend on the data, `blockSize` and the ISA-L code path only (identical on
    /// x86-64 with SSE4.2 or later for ISA-L 2.25–2.32; `IsalKnownAnswer` checks this machine), never
    /// on `threads`.
    public static func isalBlocks(
        blockSize: Int = ParallelDeflateOptions.defaultBlockSize, threads: Int = ParallelDeflateOptions.defaultThreads
    ) -> ZipWriteMethod {
        ZipWriteMethod(
            method: .deflated, level: DeflateEngine.isalLevel, engine: .isal,
            parallel: ParallelDeflateOptions(blockSize: blockSize, threads: threads))
    }

    private init(method: ZipMethod, level: Int, engine: DeflateEngine = .zlib, parallel: ParallelDeflateOptions? = nil)
    {
        self.method = method
        self.level = level
        self.engine = engine
        self.parallel = parallel
    }
}
