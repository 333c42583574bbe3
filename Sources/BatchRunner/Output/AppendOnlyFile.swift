import DropoutFiles
import NPDropPlatform
import NPYStream

/// A file opened for appending whole records with one `write(2)` each (`O_APPEND`), so a killed
/// process leaves every completed append in place.
final class AppendOnlyFile: Sendable {
    let path: String
    private let descriptor: Locked<FileDescriptor?>

    /// Opens (creating) `path` for appending; empties it first when `truncate` is true.
    /// Throws `RunnerError.io`.
    init(path: String, truncate: Bool) throws {
        self.path = path
        let flags = O_WRONLY | O_CREAT | O_APPEND | (truncate ? O_TRUNC : 0)
        descriptor = Locked(try RunnerFS.open(path, flags: flags, operation: "open for appending"))
    }

    /// Appends `bytes` (one `write(2)` unless the kernel writes short, then the rest).
    /// Throws `RunnerError.io`.
    func append(_ bytes: [UInt8]) throws {
        try descriptor.withLock { file in
            guard let file else { throw RunnerError.io(path: path, operation: "append to closed", errno: EBADF) }
            try RunnerFS.mappingErrors { try bytes.withUnsafeBytes { try file.writeAll($0) } }
        }
    }

    /// Closes the file; later appends throw.
    func close() {
        descriptor.withLock { file in
            try? file?.close()
            file = nil
        }
    }

    deinit { close() }
}
