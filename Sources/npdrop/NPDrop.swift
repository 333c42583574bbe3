import ArgumentParser
import BatchRunner

@main
struct NPDrop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "npdrop",
        abstract: "Apply dropout to NumPy .npy/.npz files, reproducibly from NumPy.",
        version: NPDropVersion.current,
        subcommands: [
            InspectCommand.self, ApplyCommand.self, RunCommand.self, VerifyCommand.self, MergeManifestsCommand.self,
            StatusCommand.self,
        ]
    )

    /// Parses the command line, runs the command, and exits with the code `ErrorReporting` picks.
    static func main() {
        ErrorReporting.runAndExit(arguments: Array(CommandLine.arguments.dropFirst()))
    }
}
