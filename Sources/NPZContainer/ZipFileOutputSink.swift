import NPDropPlatform
import NPYFormat
import NPYStream

/// The zip writer's own file as an `OutputSink` (`ZipArchiveWriter(path:)` and
/// `init(descriptor:name:)`): positioned writes on a `ZipFileDescriptor`, failures as `ZipError.io`.
final class ZipFileOutputSink: OutputSink, @unchecked Sendable {
    private let file: ZipFileDescriptor

    init(file: ZipFileDescriptor) {
        self.file = file
    }

    var name: String { file.path }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        guard offset >= 0 else { throw ZipError.io(operation: "pwrite", errno: EINVAL) }
        try file.write(bytes, at: UInt64(offset))
    }

    func setLength(_ length: Int) throws {
        guard length >= 0 else { throw ZipError.io(operation: "ftruncate", errno: EINVAL) }
        try file.truncate(to: UInt64(length))
    }

    /// The zip layer keeps its descriptor to itself; nothing copies into an archive by the kernel.
    var descriptorForKernelCopy: FileDescriptor? { nil }
}

extension ZipError {
    /// What a failure of the writer's `OutputSink` becomes: a `ZipError` as it is, a system
    /// call's failure (`FileError` around `NPYStreamError.system`) as `.io` with its operation and
    /// errno, anything else as `.io` of `operation` with `EIO`.
    static func output(operation: String, _ error: any Error) -> ZipError {
        if let zip = error as? ZipError { return zip }
        let inner = (error as? FileError)?.underlying ?? error
        if case NPYStreamError.system(let failed, let code)? = inner as? NPYStreamError {
            return .io(operation: failed, errno: code)
        }
        return .io(operation: operation, errno: EIO)
    }
}
