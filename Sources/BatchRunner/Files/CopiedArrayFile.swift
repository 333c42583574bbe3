import NPYFormat
import NPYStream

/// An `.npy` file carried over unchanged: its dtype is not selected by `--dtypes`, or is one
/// npdrop does not transform (strings, unicode, object, structured, datetime, void). Only its
/// header is read (never its data, never a pickle); the file is copied byte for byte and gets
/// a `copied` record saying why.
public final class CopiedArrayFile: Sendable {
    /// Why the file is not transformed (goes into its record).
    public let reason: String
    /// The header, when npdrop can describe its dtype (nil for the refused kinds).
    public let header: NPYHeader?
    private let input: FileDescriptor

    init(reason: String, header: NPYHeader?, input: FileDescriptor) {
        self.reason = reason
        self.header = header
        self.input = input
    }

    /// True for a header error that means "a valid file of a dtype npdrop does not transform".
    static func isUntransformedDType(_ error: any Error) -> NPYFormatError? {
        let inner = (error as? FileError)?.underlying ?? error
        if let format = inner as? NPYFormatError, case .unsupportedDType = format { return format }
        return nil
    }

    /// Copies the whole file into `outputs.data` (`PlainFileCopy`).
    func process(task: FileTask, outputs: FileOutputs) throws {
        _ = try PlainFileCopy.copy(input, name: task.input.relativePath, to: outputs.data)
    }

    /// The file's one record: `copied`, no mask.
    func outcome() -> FileOutcome {
        let array = ArrayOutcome(member: nil, status: .copied, shape: header?.shape, dtype: header?.dtype.descr,
                                 fortranOrder: header?.fortranOrder, reason: reason)
        return FileOutcome(arrays: [array], maskWritten: false)
    }
}
