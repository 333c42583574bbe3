import ArgumentParser
import BatchRunner
import NPZContainer

/// How `.npz` outputs are encoded, the same flags for `apply` and `run`.
struct ArchiveEncodingOptionGroup: ParsableArguments {
    @Flag(help: "Deflate every output npz member (default: like the input member).")
    var compress = false

    @Flag(help: "Store every output npz member uncompressed, as np.savez (default: like the input member).")
    var store = false

    @Option(
        name: .customLong("compression-level"),
        help: ArgumentHelp(
            "Deflate npz members in zlib blocks at this level, 1 (fastest) to 9 (smallest; -1 is zlib's 6). "
                + "Default: ISA-L level 1 blocks, 10-40x faster, sizes within a few percent of zlib 6.",
            valueName: "level"))
    var compressionLevel: Int?

    @Flag(
        name: .customLong("single-stream-deflate"),
        help: """
            Deflate each member as one zlib stream on one core: the exact bytes np.savez_compressed writes. \
            Default: 1 MiB ISA-L blocks compressed on every core.
            """)
    var singleStreamDeflate = false

    func validate() throws {
        if compress && store { throw ValidationError("--compress and --store exclude each other") }
        do {
            try RunSettings.checkEncoding(
                compression: compression, level: compressionLevel, singleStream: singleStreamDeflate)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// How members are stored: `--compress`, `--store`, else nil (like the input member).
    var compression: NPZCompression? { compress ? .deflate : store ? .store : nil }

    /// The encoding these flags select: ISA-L blocks unless a zlib level or a single stream is asked for.
    var requestedEncoding: MemberEncoding {
        MemberEncoding(
            compression: compression ?? .input,
            level: compressionLevel == -1 ? nil : compressionLevel,
            deflateBlockSize: singleStreamDeflate ? nil : ParallelDeflateOptions.defaultBlockSize,
            engine: compressionLevel == nil ? .isal : .zlib)
    }

    /// `requestedEncoding` after ISA-L's known-answer check: zlib blocks where this machine's ISA-L
    /// fails it, said in one line on stderr.
    var memberEncoding: MemberEncoding {
        let checked = requestedEncoding.checkedForThisMachine()
        if checked.fallback { ErrorReporting.printError(MemberEncoding.fallbackMessage()) }
        return checked.encoding
    }
}
