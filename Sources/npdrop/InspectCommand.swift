import ArgumentParser

/// `npdrop inspect FILE... [--json]`: one line per `.npy` file, a block per `.npz` (a line per
/// member); a bad file or member is reported and the others go on.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show the header (format version, dtype, shape, memory order, data layout) of .npy files and of every member of .npz files.",
        discussion: """
            An .npz (recognised by its zip signature) lists every member with its method (stored or \
            deflated), compressed and uncompressed size and its array header. An array whose dtype \
            npdrop does not transform (object, structured, unicode, ...) shows its header as written, \
            with the note that it is copied, not transformed.
            """
    )

    @Argument(help: "The .npy or .npz files to inspect ('-' reads an .npy from standard input).")
    var files: [String]

    @Flag(help: "Print one JSON object per file (keys: file, version, descr, shape, fortran_order, data_offset, data_bytes; for an .npz: file, format, members).")
    var json = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("inspect needs at least one FILE") }
    }

    func run() throws {
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
}
