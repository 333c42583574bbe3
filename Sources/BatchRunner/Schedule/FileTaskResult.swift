import DropoutFiles
import NPYStream

/// What became of one file task.
enum FileTaskResult: Sendable {
    /// Every output was renamed to its final name; `digests` says what was read and written.
    case committed(FileOutcome, FileDigests)
    /// Nothing was committed. `member` names the npz member at fault when known; `outcome` is
    /// set when `finish` reported failed arrays.
    case failed(member: String?, message: String, outcome: FileOutcome?)
    /// The run was interrupted before the file was done; its temporaries were removed and it
    /// gets no record (a `--resume` does it).
    case interrupted
}

/// What a committed file task read and wrote, for its records (`--resume`, `verify --quick`),
/// or — for `verify`, whose outputs are compared instead of written — how they compared.
struct FileDigests: Sendable, Hashable {
    /// The input as read (size, modification time, CRC-32C); nil when not computed.
    var input: InputState?
    /// The result file.
    var output: FileDigest?
    /// The mask file, when one was written.
    var mask: FileDigest?
    /// `verify`: how the result compared with the file already in OUT.
    var outputComparison: ComparingOutputSink.Comparison?
    /// `verify`: how the mask compared with the file already in OUT, when one was made.
    var maskComparison: ComparingOutputSink.Comparison?
}
