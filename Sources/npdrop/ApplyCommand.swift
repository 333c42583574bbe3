import ArgumentParser
import NPYStream

/// `npdrop apply IN OUT --rate 0`: for now a streaming copy that writes what `np.save` writes.
/// IN and OUT may be `-` (stdin/stdout). A file OUT appears only when complete.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply dropout to one .npy array (IN and OUT may be '-').",
        discussion: "Only --rate 0 is supported so far: OUT is then exactly what np.save writes for the array in IN."
    )

    @Argument(help: "Input .npy file, or '-' for standard input.")
    var input: String

    @Argument(help: "Output .npy file, or '-' for standard output.")
    var output: String

    @Option(help: "Dropout rate in [0, 1] (only 0 is supported so far).")
    var rate: Double

    func validate() throws {
        guard rate == 0 else {
            throw ValidationError("--rate \(rate) is not supported yet: only --rate 0 (copy) is implemented")
        }
    }

    func run() throws {
        if input != "-" && output != "-",
           let inputStatus = try FileStatus.of(path: input), let outputStatus = try FileStatus.of(path: output),
           inputStatus.device == outputStatus.device && inputStatus.inode == outputStatus.inode {
            throw UsageError("OUT is the same file as IN (\(input)); inputs are never overwritten")
        }
        let reader = try NPYReader.open(path: input)
        let buffer = ChunkBuffer()
        if output == "-" {
            let sink = FileByteSink(descriptor: .standardOutput())
            let writer = try NPYWriter(sink: sink, like: reader.header, name: sink.descriptor.path)
            try buffer.withUnsafeMutableBytes { try reader.copyData(to: writer, using: $0) }
        } else {
            let file = try AtomicOutputFile(path: output)
            let writer = try NPYWriter(sink: file, like: reader.header, name: output)
            try buffer.withUnsafeMutableBytes { try reader.copyData(to: writer, using: $0) }
            try file.commit()
        }
    }
}
