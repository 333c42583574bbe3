import ArgumentParser

/// `npdrop inspect FILE... [--json]`: one line per file; a bad file is reported and the others go on.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show the format version, dtype, shape, memory order and data layout of .npy files."
    )

    @Argument(help: "The .npy files to inspect ('-' reads standard input).")
    var files: [String]

    @Flag(help: "Print one JSON object per file (keys: file, version, descr, shape, fortran_order, data_offset, data_bytes).")
    var json = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("inspect needs at least one FILE") }
    }

    func run() throws {
        var failures = 0
        for file in files {
            do {
                let inspection = try Inspection.inspect(path: file)
                print(json ? inspection.jsonLine : inspection.humanLine)
            } catch {
                ErrorReporting.printError("\(error)")
                failures += 1
            }
        }
        if failures > 0 { throw FailuresReported(count: failures) }
    }
}
