import ArgumentParser
import NPYFormat
import NPYStream

/// `npdrop inspect FILE... [--json]`: one line per `.npy` file, a block per `.npz` (a line per
/// member); a bad file or member is reported and the others go on.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract:
            "Show the header (format version, dtype, shape, memory order, data layout) of .npy files and of every member of .npz files.",
        discussion: """
            An .npz (recognised by its zip signature) lists every member with its method (stored or \
            deflated), compressed and uncompressed size and its array header. An array whose dtype \
            npdrop does not transform (object, structured, unicode, ...) shows its header as written, \
            with the note that it is copied, not transformed.
            """
    )

    @Argument(help: "The .npy or .npz files to inspect ('-' reads an .npy from standard input).")
    var files: [String]

    @Flag(
        help:
            "Print one JSON object per file (keys: file, version, descr, shape, fortran_order, data_offset, data_bytes; for an .npz: file, format, members)."
    )
    var json = false

    @Flag(
        help: ArgumentHelp(
            "Draw a 2-D slice of a keep mask as characters (# kept, . dropped): of FILE when it is a mask, or of the mask of a result (OUT/masks/... next to OUT/data/..., or --mask).",
            valueName: "show"))
    var show = false

    @Option(
        help: ArgumentHelp(
            "With --show: the mask of the one result FILE (drawn at the result's shape).", valueName: "maskfile"))
    var mask: String?

    @Option(
        help: ArgumentHelp(
            "With --show: the slice drawn, one entry per axis, ':' for the two axes drawn (e.g. 0,:,:), or only the leading indices (default: 0 on every axis but the last two).",
            valueName: "slice"))
    var slice: String?

    func validate() throws {
        if files.isEmpty { throw ValidationError("inspect needs at least one FILE") }
        if !show && (mask != nil || slice != nil) { throw ValidationError("--mask and --slice go with --show") }
        if show && json { throw ValidationError("--show draws a picture; it cannot be combined with --json") }
        if mask != nil && files.count != 1 { throw ValidationError("--mask names the mask of one result FILE") }
    }

    func run() throws {
        if show { return try showMasks() }
        var failures = 0
        for file in files {
            do {
                if ArchiveInspection.isArchive(path: file) {
                    let inspection = try ArchiveInspection.inspect(path: file)
                    print(json ? inspection.jsonLine : inspection.humanText)
                    for message in inspection.memberErrors {
                        ErrorReporting.printError(message)
                        failures += 1
                    }
                } else {
                    let inspection = try Inspection.inspect(path: file)
                    print(json ? inspection.jsonLine : inspection.humanLine)
                }
            } catch {
                ErrorReporting.printError("\(error)")
                failures += 1
            }
        }
        if failures > 0 { throw FailuresReported(count: failures) }
    }

    /// `--show`: one picture per FILE; a bad file is reported and the others still drawn.
    private func showMasks() throws {
        let requested = try slice.map { try MaskPicture.parseSlice($0) }
        var failures = 0
        for (index, file) in files.enumerated() {
            do {
                let (maskPath, resultPath) = try Self.maskAndResult(for: file, mask: mask)
                let picture = try MaskPicture.read(maskPath: maskPath, resultPath: resultPath, slice: requested)
                if index > 0 { print("") }
                print(picture.text)
            } catch let usage as UsageError {
                throw usage
            } catch {
                ErrorReporting.printError("\(error)")
                failures += 1
            }
        }
        if failures > 0 { throw FailuresReported(count: failures) }
    }

    /// The mask to draw for `file` and the result it is drawn at: `--mask` for the result `file`;
    /// `file` itself when it is a bool array; else the `masks/` counterpart of a `data/` path.
    static func maskAndResult(for file: String, mask: String?) throws -> (mask: String, result: String?) {
        if let mask { return (mask, file) }
        if try NPYReader.open(path: file).header.dtype.kind == .bool { return (file, nil) }
        let parts = file.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for index in parts.indices.reversed() where parts[index] == "data" && index < parts.count - 1 {
            var candidate = parts
            candidate[index] = "masks"
            let path = candidate.joined(separator: "/")
            if (try? FileStatus.of(path: path))??.isRegularFile == true { return (path, file) }
        }
        throw UsageError(
            "\(MessageText.escaped(file)) is not a keep mask and has no mask next to it "
                + "(OUT/masks/... for OUT/data/...); give its mask with --mask")
    }
}
