import ArgumentParser
import BatchRunner
import DropoutEngine
import DropoutFiles
import NPYFormat
import NPYStream
import NPZContainer

/// `npdrop apply IN OUT [--mask MASKFILE] [dropout options] [--key KEY]`: dropout on one `.npy`
/// array, streamed in chunks. IN and OUT may be `-` (stdin/stdout). File outputs appear only
/// when complete; nothing is left under their names when anything fails.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply dropout to one .npy array or to every member of an .npz (IN and OUT may be '-' for .npy).",
        discussion: """
            OUT is what np.save writes for the result (same dtype, byte order, memory order and shape). \
            The stream key is IN's base name (for '-': --key, default empty). --mask writes the keep mask \
            (bool, noise shape, C order). Reproduce it in NumPy with \
            Generator(PCG64(SeedSequence(seed, spawn_key=(0, len(b), *words)))).random(noise_shape) >= rate.
            """
    )

    @Argument(help: "Input .npy or .npz file, or '-' for an .npy on standard input.")
    var input: String

    @Argument(help: "Output file (.npz for an .npz input), or '-' for standard output (.npy only).")
    var output: String

    @Option(
        help: ArgumentHelp(
            "Also write the keep mask (bool array of the noise shape) to this file ('-': standard output).",
            valueName: "maskfile"))
    var mask: String?

    @OptionGroup(title: "Dropout options")
    var dropout: DropoutOptionGroup

    @Option(
        help:
            "Stream key (default: the base name of IN; for '-' the empty string). For an .npz, each member's key is KEY + NUL + member name."
    )
    var key: String?

    @Option(
        help: ArgumentHelp(
            "Element kinds that get dropout: a comma list of float, complex, int, bool, all (default float,complex); "
                + "another array is copied unchanged, without a mask, and a line on stderr says so.",
            valueName: "list"))
    var dtypes: String?

    @Option(
        name: .customLong("mask-format"),
        help: ArgumentHelp(
            "The mask as NumPy bools (bool, default) or np.packbits(keep.ravel()) (packbits: |u1, 8 flags a byte; "
                + "np.unpackbits(m, count=n).reshape(noise_shape).astype(bool) gives the mask back).",
            valueName: "format"))
    var maskFormat: String?

    @OptionGroup(title: "npz output")
    var encoding: ArchiveEncodingOptionGroup

    @OptionGroup(title: "Input limits")
    var limits: InputLimitsOptionGroup

    @Flag(help: "fsync each output before renaming it into place (slower; survives a power cut).")
    var sync = false

    func validate() throws {
        if output == "-" && mask == "-" {
            throw ValidationError("OUT and --mask cannot both be standard output")
        }
        _ = try selection()
        _ = try parsedMaskFormat()
    }

    /// `--dtypes`, parsed (default `float,complex`); a bad list is a usage error.
    private func selection() throws -> DTypeSelection {
        guard let dtypes else { return .default }
        do {
            return try DTypeSelection(parsing: dtypes)
        } catch let error as RunnerError {
            throw ValidationError(error.description)
        }
    }

    /// `--mask-format`, parsed (default `bool`); anything else is a usage error.
    private func parsedMaskFormat() throws -> MaskFormat {
        guard let maskFormat else { return .bool }
        guard let format = MaskFormat(rawValue: maskFormat) else {
            throw ValidationError("--mask-format must be bool or packbits, found '\(maskFormat)'")
        }
        return format
    }

    func run() throws {
        // The dropout settings are parsed and checked once, before anything is opened.
        let (seed, drawn) = dropout.resolvedSeed()
        let options = try dropout.dropoutOptions(seed: seed)
        try checkDistinctFiles()
        try checkOutputDirectories()
        // A drawn seed is printed once the input is accepted, and only when it matters:
        // rate 0 and rate 1 give the same bytes whatever the seed.
        let announceSeed = {
            if drawn && options.rate > 0 && options.rate < 1 { ErrorReporting.printError("seed \(seed)") }
        }
        guard let reader = try openInput() else {
            try applyToArchive(options: options, announceSeed: announceSeed)
            return
        }
        if input != "-", output != "-", mask != "-", try FileStatus.of(path: input)?.isRegularFile == true {
            try applyToFile(options: options, announceSeed: announceSeed)
            return
        }
        let selection = try selection()
        guard selection.selects(reader.header.dtype) else {
            try copyStream(reader, selection: selection)
            return
        }
        let plan = try ArrayDropoutPlan(
            header: reader.header, key: ArrayKey(string: streamKey), options: options, name: reader.name)
        announceSeed()
        let result = try Destination(path: output)
        let maskFile = try mask.map { try Destination(path: $0) }
        // Packed masks: the bool mask's bytes are packed 8 flags a byte on their way to MASKFILE.
        let packed =
            try parsedMaskFormat() == .packbits
            ? maskFile.map { file in
                PackedMaskSink(boolHeaderLength: plan.maskHeader.dataOffset, count: plan.noiseElementCount) {
                    try file.sink.write($0)
                }
            } : nil
        try plan.run(
            reader: reader, output: result.sink, outputName: result.name,
            mask: packed ?? maskFile?.sink, maskName: maskFile?.name, scratch: DropoutScratch())
        try packed?.finish()
        try maskFile?.commit(sync: sync)
        try result.commit(sync: sync)
    }

    /// An array `--dtypes` does not select, read as a stream: OUT gets its header and data
    /// byte for byte (what follows the data is not copied); no mask is written.
    private func copyStream(_ reader: NPYReader, selection: DTypeSelection) throws {
        let header = reader.header
        let result = try Destination(path: output)
        try reader.headerBytes.withUnsafeBytes { try result.sink.write($0) }
        let buffer = ChunkBuffer(count: NPYStreamDefaults.chunkSize)
        try buffer.withUnsafeMutableBytes { (chunk) throws in
            while true {
                let count = try reader.readChunk(into: chunk)
                if count == 0 { break }
                try result.sink.write(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
            }
        }
        try result.commit(sync: sync)
        reportCopied([(member: nil, dtype: header.dtype)], selection: selection)
    }

    /// The one stderr line for arrays `--dtypes` left alone: which file (and members), and how to
    /// select them.
    private func reportCopied(_ arrays: [(member: String?, dtype: DType)], selection: DTypeSelection) {
        guard !arrays.isEmpty else { return }
        let what = arrays.map { array in
            array.member.map { "member '\($0)' (dtype \(array.dtype.descr))" } ?? "dtype \(array.dtype.descr)"
        }.joined(separator: ", ")
        var kinds: [String] = []
        for array in arrays where !kinds.contains(DTypeSelection.name(of: array.dtype)) {
            kinds.append(DTypeSelection.name(of: array.dtype))
        }
        let maskNote = mask == nil ? "" : ", no mask"
        let noun = arrays.count == 1 ? "it" : "them"
        ErrorReporting.printError(
            "\(input == "-" ? "standard input" : input): \(what) not selected by --dtypes \(selection): copied unchanged\(maskNote) "
                + "(pass --dtypes all, or add \(kinds.joined(separator: ",")) to the list, to transform \(noun))")
    }

    /// The request DropoutFiles runs for IN: named as typed, keyed by `streamKey`, every
    /// `.npy` member (or the `.npy` file) of a dtype `--dtypes` selects processed with `options`,
    /// the others copied; masks in `--mask-format`. Only an archive's members are deflated, so only
    /// for an archive is ISA-L's known answer checked (`memberEncoding`).
    private func request(_ options: DropoutOptions, archive: Bool) throws -> FileRequest {
        let selection = try selection()
        let memberEncoding = archive ? encoding.memberEncoding : encoding.requestedEncoding
        var request = FileRequest(path: input, name: input, keyPath: streamKey, encoding: memberEncoding) {
            _ in
            .process(options)
        }
        request.copyReason = { _, dtype in selection.selects(dtype) ? nil : selection.reason(notSelecting: dtype) }
        request.maskFormat = try parsedMaskFormat()
        return request
    }

    /// IN and OUT (and MASKFILE) are files: the `.npy` job of `npdrop run`, its segments on
    /// every core, into temporaries renamed into place when complete.
    private func applyToFile(options: DropoutOptions, announceSeed: () -> Void) throws {
        let result = try AtomicOutputFile(path: output)
        let maskFile = try mask.map { try AtomicOutputFile(path: $0) }
        let targets = FileTargets(data: result.descriptor, dataName: output, mask: maskFile?.descriptor, maskName: mask)
        switch try NPYFileJob.prepareOrCopy(request(options, archive: false), targets: targets) {
        case .transform(let job):
            announceSeed()
            try job.processAllSegments(
                workers: ParallelDeflateOptions.defaultThreads, chunkBytes: NPYStreamDefaults.chunkSize)
            try job.finishMask(worker: DropoutWorker(chunkBytes: NPYStreamDefaults.chunkSize))
            try maskFile?.commit(syncToDisk: sync)
        case .copy(let copied):
            // Not selected by --dtypes: the file byte for byte, no mask (its temporary is removed).
            try copied.process()
            if let dtype = copied.header?.dtype {
                reportCopied([(member: nil, dtype: dtype)], selection: try selection())
            }
        }
        try result.commit(syncToDisk: sync)
    }

    /// IN is an `.npz`: the `.npz` job of `npdrop run` (every `.npy` member through dropout, other
    /// members copied, the comment kept) into OUT, and the masks into MASKFILE (an empty archive
    /// when IN holds no `.npy` member).
    private func applyToArchive(options: DropoutOptions, announceSeed: () -> Void) throws {
        if output == "-" || mask == "-" {
            throw UsageError(
                "\(input) is an .npz archive: OUT and --mask must be files (a zip is written with positioned writes), not '-'"
            )
        }
        let job = try NPZFileJob.prepare(request(options, archive: true), limits: limits.zipLimits)
        announceSeed()
        let result = try AtomicOutputFile(path: output)
        let maskFile = try mask.map { try AtomicOutputFile(path: $0) }
        let targets = FileTargets(data: result.descriptor, dataName: output, mask: maskFile?.descriptor, maskName: mask)
        let outcome = try job.run(targets: targets, worker: DropoutWorker(chunkBytes: NPYStreamDefaults.chunkSize))
        for array in outcome.arrays {
            if case .failed(let message) = array.status { throw MemberFailure(description: message) }
        }
        let selection = try selection()
        reportCopied(
            outcome.arrays.compactMap { array in
                guard array.status == .copied, array.reason != nil, let descr = array.dtype,
                    let dtype = try? DType.parse(descr: descr), !selection.selects(dtype)
                else { return nil }
                return (member: array.member, dtype: dtype)
            }, selection: selection)
        if let maskFile, let mask {
            if !outcome.maskWritten {
                try ZipArchiveWriter(descriptor: maskFile.descriptor.rawValue, name: mask).finish()
            }
            try maskFile.commit(syncToDisk: sync)
        }
        try result.commit(syncToDisk: sync)
    }

    /// The key of contract §3.2: `--key`, else IN's base name (empty for standard input).
    var streamKey: String {
        if let key { return key }
        if input == "-" { return "" }
        return String(input.split(separator: "/", omittingEmptySubsequences: true).last ?? Substring(input))
    }

    /// Opens IN and reads its header; nil when IN is a file holding a zip archive (an `.npz`).
    /// A zip archive on standard input is a usage error: an `.npz` needs random access.
    private func openInput() throws -> NPYReader? {
        do {
            return try NPYReader.open(path: input)
        } catch let error as FileError {
            guard case NPYFormatError.badMagic(let found)? = error.underlying as? NPYFormatError,
                found.starts(with: [0x50, 0x4B])
            else { throw error }
            if input == "-" {
                throw UsageError(
                    "standard input is a zip archive (.npz?): an .npz input must be a file, not a stream; pass its path as IN"
                )
            }
            return nil
        }
    }

    /// Refuses OUT or MASKFILE naming IN, or each other (after following links).
    private func checkDistinctFiles() throws {
        var named: [(String, String)] = []
        if input != "-" { named.append(("IN", input)) }
        if output != "-" { named.append(("OUT", output)) }
        if let mask, mask != "-" { named.append(("MASKFILE", mask)) }
        let statuses = try named.map { try FileStatus.of(path: $0.1) }
        for i in named.indices {
            for j in named.indices where j > i {
                guard let a = statuses[i], let b = statuses[j], a.device == b.device && a.inode == b.inode else {
                    continue
                }
                if i == 0 && input != "-" {
                    throw UsageError("\(named[j].0) is the same file as IN (\(input)); inputs are never overwritten")
                }
                throw UsageError("\(named[j].0) is the same file as \(named[i].0) (\(named[i].1))")
            }
        }
        if output != "-", let mask, mask != "-", output == mask {
            throw UsageError("MASKFILE is the same file as OUT (\(output))")
        }
    }
}

/// Where `apply` writes one file: standard output for `-`, else a temporary file renamed to
/// `path` by `commit()` (and removed if never committed).
struct Destination {
    let sink: any ByteSink
    let name: String
    private let file: AtomicOutputFile?

    init(path: String) throws {
        if path == "-" {
            let standardOutput = FileByteSink(descriptor: .standardOutput())
            sink = standardOutput
            name = standardOutput.descriptor.path
            file = nil
        } else {
            let atomic = try AtomicOutputFile(path: path)
            sink = atomic
            name = path
            file = atomic
        }
    }

    /// Renames the temporary file to its final name (nothing for standard output), after an
    /// `fsync` of it and its directory with `sync`.
    func commit(sync: Bool) throws {
        try file?.commit(syncToDisk: sync)
    }
}

/// A member of the `.npz` given to `apply` could not be processed; `description` names the
/// archive and the member, worded as `npdrop run` words it.
struct MemberFailure: Error, CustomStringConvertible {
    let description: String
}
