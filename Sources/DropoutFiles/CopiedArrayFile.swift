import NPYFormat
import NPYStream

/// An `.npy` file carried over unchanged: its dtype is not one the request transforms
/// (`FileRequest.copyReason`), or one npdrop does not transform at all (strings, unicode,
/// object, structured, datetime, void), or the request copies it. Only its header is read
/// (never its data, never a pickle); the file is copied byte for byte (`FileCopy`) and reported
/// `copied` with the reason.
public final class CopiedArrayFile: Sendable {
    /// The request the job was made for.
    public let request: FileRequest
    /// Why the file is not transformed (for its record), or nil when the request copies it.
    public let reason: String?
    /// The header, when npdrop can describe its dtype (nil for the refused kinds).
    public let header: NPYHeader?
    private let input: FileDescriptor
    private let targets: FileTargets

    init(request: FileRequest, reason: String?, header: NPYHeader?, input: FileDescriptor, targets: FileTargets) {
        self.request = request
        self.reason = reason
        self.header = header
        self.input = input
        self.targets = targets
    }

    /// The dtype refusal inside `error`, when it means "a valid header of a dtype npdrop does
    /// not transform" (nil for any other error).
    public static func untransformedDType(in error: any Error) -> NPYFormatError? {
        let inner = (error as? FileError)?.underlying ?? error
        if let format = inner as? NPYFormatError, case .unsupportedDType = format { return format }
        return nil
    }

    /// Why an array whose dtype npdrop does not transform is copied.
    public static func reason(unsupported error: NPYFormatError) -> String {
        if case .unsupportedDType(let descr, let reason) = error {
            return "dtype \(descr) is not transformed (\(reason)); copied unchanged"
        }
        return "\(error)"
    }

    /// Copies the whole file into the data target; `checkpoint` may throw to stop.
    public func process(checkpoint: () throws -> Void = {}) throws {
        do {
            _ = try FileCopy.copy(input, to: targets.data, name: request.name, checkpoint: checkpoint)
        } catch {
            throw FileError.attributing(error, to: request, member: nil)
        }
    }

    /// The file's one report: `copied`, no mask.
    public func outcome() -> FileOutcome {
        var array = ArrayOutcome(
            member: nil, status: .copied, shape: header?.shape, dtype: header?.dtype.descr,
            fortranOrder: header?.fortranOrder)
        array.reason = reason
        return FileOutcome(arrays: [array], maskWritten: false)
    }
}
