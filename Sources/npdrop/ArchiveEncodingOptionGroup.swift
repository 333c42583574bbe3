import ArgumentParser
import NPZContainer

/// How `.npz` outputs are encoded, the same flags for `apply` and `run`.
struct ArchiveEncodingOptionGroup: ParsableArguments {
    @Flag(help: "Deflate every output npz member (default: like the input member).")
    var compress = false

    @Flag(help: "Store every output npz member uncompressed, as np.savez (default: like the input member).")
    var store = false

    @Option(name: .customLong("compression-level"),
            help: ArgumentHelp(
                "Deflate npz members in zlib blocks at this level, 1 (fastest) to 9 (smallest; -1 is zlib's 6). "
                    + "Default: ISA-L level 1 blocks, 10-40x faster, sizes within a few percent of zlib 6.",
                valueName: "level"))
    var compressionLevel: Int?

    @Flag(name: .customLong("single-stream-deflate"),
          help: """
              Deflate each member as one zlib stream on one core: the exact bytes np.savez_compressed writes. \
              Default: 1 MiB ISA-L blocks compressed on every core.
              """)
    var singleStreamDeflate = false

    func validate() throws {
        if compress && store { throw ValidationError("--compress and --store exclude each other") }
        if let compressionLevel {
            guard MemberEncoding.levels.contains(compressionLevel) else {
                throw ValidationError("--compression-level must be between -1 and 9, found \(compressionLevel)")
            }
            if store { throw ValidationError("--compression-level does not apply with --store") }
        }
        if store && singleStreamDeflate { throw ValidationError("--single-stream-deflate does not apply with --store") }
    }

    /// The encoding these flags select: ISA-L blocks unless a zlib level or a single stream is asked for.
    var requestedEncoding: MemberEncoding {
        MemberEncoding(compression: compress ? .deflate : store ? .store : .input,
                       level: compressionLevel == -1 ? nil : compressionLevel,
                       deflateBlockSize: singleStreamDeflate ? nil : ParallelDeflateOptions.defaultBlockSize,
                       engine: compressionLevel == nil ? .isal : .zlib)
    }

    /// `requestedEncoding` after ISA-L's known-answer check: zlib blocks where this machine's ISA-L
    /// fails it, said in one line on stderr.
    var memberEncoding: MemberEncoding {
        let checked = requestedEncoding.checkedForThisMachine()
        if checked.fallback { ErrorReporting.printError(MemberEncoding.fallbackMessage) }
        return checked.encoding
    }
}
