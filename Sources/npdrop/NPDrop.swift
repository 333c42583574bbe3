import ArgumentParser

@main
struct NPDrop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "npdrop",
        abstract: "Apply dropout to NumPy .npy/.npz files, reproducibly from NumPy.",
        subcommands: []
    )
}
