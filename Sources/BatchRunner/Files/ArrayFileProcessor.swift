import DropoutFiles

/// The work the runner hands to an `ArrayFileProcessor`, and what it expects back.
///
/// Life of one file task (one input file for one copy), driven by the runner:
/// 1. The runner creates empty temporary outputs (`FileOutputs`) next to their final names.
/// 2. `prepare` opens the input, reads headers, may write headers / size the outputs, and says
///    into how many segments the file is split (1 for most files; several for a huge `.npy`,
///    so that several workers share it).
/// 3. `process(segment:)` is called once for every segment `0 ..< segmentCount`, possibly on
///    different threads at the same time. Segments write at their own
///    offsets through the outputs' sinks (`FileOutputs.targets`, positioned writes); the bytes must not depend on how the file was split.
/// 4. When every segment succeeded, `finish` (on the thread that completed the last segment)
///    completes the outputs and reports every array. The runner then renames the outputs to
///    their final names. When anything threw, `abandon` is called instead and the temporaries
///    are removed.
public protocol ArrayFileProcessor: Sendable {
    /// Per-file state made by `prepare` (parsed headers, open input...). Shared by the
    /// segments of a file, which may run on different threads.
    associatedtype FileState: Sendable
    /// Per-worker scratch (chunk buffers): one per worker thread, never shared.
    associatedtype WorkerState

    /// Makes the scratch of one worker thread; called once per worker.
    func makeWorkerState() -> WorkerState

    /// Opens `task.input` and plans its work; may write into `outputs`. Throws to fail the file
    /// (an `Error` conforming to `MemberAttributedError` names the member in the record).
    func prepare(_ task: FileTask, outputs: FileOutputs, worker: inout WorkerState) throws -> FilePlan<FileState>

    /// Processes segment `segment` of `plan` (0-based), writing at its own offsets. Throws to
    /// fail the whole file.
    func process(
        segment: Int, of plan: FilePlan<FileState>, task: FileTask, outputs: FileOutputs,
        worker: inout WorkerState) throws

    /// Completes the outputs once every segment succeeded (an npz's central directory, ...)
    /// and reports each array. An `ArrayOutcome` with status `.failed` fails the whole file.
    func finish(
        _ plan: FilePlan<FileState>, task: FileTask, outputs: FileOutputs,
        worker: inout WorkerState
    ) throws -> FileOutcome

    /// Releases what `prepare` acquired when the file failed and `finish` will not be called.
    func abandon(_ plan: FilePlan<FileState>, task: FileTask)
}

extension ArrayFileProcessor {
    /// Default: nothing to release (state held in classes is released when dropped).
    public func abandon(_ plan: FilePlan<FileState>, task: FileTask) {}
}
