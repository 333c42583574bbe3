import ArgumentParser
import NPZContainer

/// How `.npz` outputs are encoded, the same flags for `apply` and `run`.
struct ArchiveEncodingOptionGroup: ParsableArguments {
    @Flag(help: "Deflate every output npz member (default: like the input member).")
    var compress = false

    @Flag(help: "Store every output npz member uncompressed, as np.savez (default: like the input member).")
    var store = false

    @Option(name: .customLong("compression-level"),
            help: ArgumentHelp("zlib level for deflated npz members, -1 (default, 6) to 9.", valueName: "level"))
    var compressionLevel: Int?

    @Flag(name: .customLong("single-stream-deflate"),
          help: """
              Deflate each member as one zlib stream on one core: the exact bytes np.savez_compressed writes. \
              Default: 1 MiB blocks compressed on every core (members up to 1 MiB come out the same either way).
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

    /// The encoding these flags select.
    var memberEncoding: MemberEncoding {
        MemberEncoding(compression: compress ? .deflate : store ? .store : .input,
                       level: compressionLevel == -1 ? nil : compressionLevel,
                       deflateBlockSize: singleStreamDeflate ? nil : ParallelDeflateOptions.defaultBlockSize)
    }
}
