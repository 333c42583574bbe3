import DropoutEngine
import NPYStream
import NPZContainer

/// The real `ArrayFileProcessor`: applies dropout through the engine's per-array plan to an
/// `.npy` file (split into element-range segments that workers process in parallel with
/// positioned I/O) or to every selected member of an `.npz` (one segment, streamed member by
/// member into the output and mask archives).
public struct DropoutFileProcessor: ArrayFileProcessor {
    /// What `prepare` made for one file: an `.npy` job or an `.npz` job.
    public enum FileState: Sendable {
        /// A plain `.npy` file.
        case npy(NPYFileJob)
        /// An `.npz` archive.
        case npz(NPZFileJob)
    }

    /// Bytes of each of a worker's buffers (two for the engine, one for copying).
    public let chunkBytes: Int
    /// Limits every `.npz` input is read with (entries, names, inflate ratio).
    public let zipLimits: ZipLimits

    /// A processor whose workers use buffers of `chunkBytes` bytes (1 MiB by default; at least
    /// `DropoutScratch.minimumChunkBytes`) and read `.npz` inputs with `zipLimits`.
    public init(chunkBytes: Int = NPYStreamDefaults.chunkSize, zipLimits: ZipLimits = .default) {
        self.chunkBytes = max(chunkBytes, DropoutScratch.minimumChunkBytes)
        self.zipLimits = zipLimits
    }

    /// Allocates one worker's buffers: `3 * chunkBytes` bytes.
    public func makeWorkerState() -> DropoutWorker {
        DropoutWorker(chunkBytes: chunkBytes)
    }

    /// Opens the input and plans it (see `NPYFileJob.prepare` and `NPZFileJob.prepare`).
    public func prepare(_ task: FileTask, outputs: FileOutputs, worker: inout DropoutWorker) throws -> FilePlan<FileState> {
        switch task.input.kind {
        case .npy:
            let job = try NPYFileJob.prepare(task, outputs: outputs)
            return FilePlan(segmentCount: job.segmentCount, state: .npy(job))
        case .npz:
            let job = try NPZFileJob.prepare(task, limits: zipLimits)
            return FilePlan(segmentCount: 1, state: .npz(job))
        }
    }

    /// Processes one segment of an `.npy`, or the whole of an `.npz`.
    public func process(segment: Int, of plan: FilePlan<FileState>, task: FileTask, outputs: FileOutputs,
                        worker: inout DropoutWorker) throws {
        switch plan.state {
        case .npy(let job):
            try job.process(segment: segment, task: task, outputs: outputs, worker: worker)
        case .npz(let job):
            try job.process(task, outputs: outputs, worker: worker)
        }
    }

    /// Reports the arrays of the file.
    public func finish(_ plan: FilePlan<FileState>, task: FileTask, outputs: FileOutputs,
                       worker: inout DropoutWorker) throws -> FileOutcome {
        switch plan.state {
        case .npy(let job):
            try job.finishMask(task: task, outputs: outputs, worker: worker)
            return job.outcome(outputs: outputs)
        case .npz(let job):
            return try job.outcome()
        }
    }
}

/// One worker's reusable memory: the engine's scratch (data and keep chunks) and a buffer for
/// copying npz members unchanged. Never shared between threads.
public final class DropoutWorker {
    /// The engine's chunk buffers.
    public let scratch: DropoutScratch
    /// Buffer for members copied unchanged.
    public let copyBuffer: ChunkBuffer

    /// Allocates `3 * chunkBytes` bytes.
    public init(chunkBytes: Int) {
        scratch = DropoutScratch(chunkBytes: chunkBytes)
        copyBuffer = ChunkBuffer(count: chunkBytes)
    }
}
