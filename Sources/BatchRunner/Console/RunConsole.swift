import NPYFormat

/// Where a run's messages go: stderr (progress, errors, summary line), stdout (`--json`).
public struct RunConsole: Sendable {
    /// Writes text (already ending in a newline or `\r`) to the error stream.
    public var writeError: @Sendable (String) -> Void
    /// Writes text to the output stream.
    public var writeOutput: @Sendable (String) -> Void
    /// True when the error stream is a terminal (progress is drawn only then).
    public var errorIsTerminal: Bool

    /// A console; see the properties.
    public init(
        writeError: @escaping @Sendable (String) -> Void, writeOutput: @escaping @Sendable (String) -> Void,
        errorIsTerminal: Bool
    ) {
        self.writeError = writeError
        self.writeOutput = writeOutput
        self.errorIsTerminal = errorIsTerminal
    }

    /// The process's stderr (fd 2) and stdout (fd 1); `errorIsTerminal` from `isatty(2)`.
    public static var standard: RunConsole {
        RunConsole(
            writeError: { RunnerFS.writeText($0, to: 2) },
            writeOutput: { RunnerFS.writeText($0, to: 1) },
            errorIsTerminal: RunnerFS.isTerminal(2))
    }

    /// Writes `npdrop: <message>` and a newline to the error stream; control characters in the
    /// message (file names may hold any) are escaped, so it stays one line.
    func line(_ message: String) {
        writeError(MessageText.errorLine(message))
    }
}
