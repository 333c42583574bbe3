import DropoutEngine
import DropoutFiles
import NPYStream
import NPZContainer

/// The real `ArrayFileProcessor`: hands each file task to DropoutFiles' jobs — an `.npy` file
/// split into element-range segments that workers process in parallel with positioned I/O, or
/// an `.npz` streamed member by member into the output and mask archives (one segment).
public struct DropoutFileProcessor: ArrayFileProcessor {
    /// What `prepare` made for one file: an `.npy` job or an `.npz` job.
    public enum FileState: Sendable {
        /// A plain `.npy` file.
        case npy(NPYFileJob)
        /// An `.npz` archive, and its outcome once processed.
        case npz(NPZFileJob, DropoutFiles.Locked<FileOutcome?>)
        /// An `.npy` file copied unchanged (dtype not selected or not transformed).
        case copied(CopiedArrayFile)
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
    public func prepare(
        _ task: FileTask, outputs: FileOutputs, worker: inout DropoutWorker
    ) throws -> FilePlan<FileState> {
        var request = task.fileRequest
        request.inputDigest = outputs.inputDigest
        switch task.input.kind {
        case .npy:
            switch try NPYFileJob.prepareOrCopy(request, targets: outputs.targets) {
            case .transform(let job):
                return FilePlan(segmentCount: job.segmentCount, state: .npy(job))
            case .copy(let job):
                return FilePlan(segmentCount: 1, state: .copied(job))
            }
        case .npz:
            let job = try NPZFileJob.prepare(request, limits: zipLimits)
            return FilePlan(segmentCount: 1, state: .npz(job, Locked(nil)))
        case .other:
            throw RunnerError.usage("\(task.input.relativePath): not an array file (the runner copies it)")
        }
    }

    /// Processes one segment of an `.npy`, or the whole of an `.npz`.
    public func process(
        segment: Int, of plan: FilePlan<FileState>, task: FileTask, outputs: FileOutputs,
        worker: inout DropoutWorker
    ) throws {
        switch plan.state {
        case .npy(let job):
            try job.process(segment: segment, worker: worker)
        case .npz(let job, let result):
            let outcome = try job.run(targets: outputs.targets, worker: worker)
            result.withLock { $0 = outcome }
        case .copied(let job):
            try job.process(checkpoint: outputs.data.checkWritable)
        }
    }

    /// Reports the arrays of the file.
    public func finish(
        _ plan: FilePlan<FileState>, task: FileTask, outputs: FileOutputs,
        worker: inout DropoutWorker
    ) throws -> FileOutcome {
        switch plan.state {
        case .npy(let job):
            try job.finishMask(worker: worker)
            return job.outcome()
        case .npz(_, let result):
            guard let outcome = result.withLock({ $0 }) else {
                throw RunnerError.usage("\(task.input.relativePath): finished before it was processed")
            }
            return outcome
        case .copied(let job):
            return job.outcome()
        }
    }
}

extension FileTask {
    /// This task as DropoutFiles' request: opened at its absolute path, named and keyed by its
    /// relpath, each member's action resolved from the task's settings with the run seed.
    var fileRequest: FileRequest {
        let task = self
        var request = FileRequest(
            path: input.absolutePath, name: input.relativePath, keyPath: input.relativePath,
            copy: copy, encoding: memberEncoding, segmentBytes: segmentHint.preferredSegmentBytes
        ) { member in
            switch task.action(forMember: member) {
            case .copy: return .copy
            case .process(let settings): return .process(try task.engineOptions(settings))
            }
        }
        request.maskFormat = maskFormat
        // A dataset is carried over whole: arrays --dtypes leaves alone and dtypes npdrop does
        // not transform are copied.
        request.copiesUntransformedDTypes = true
        request.copyReason = { member, dtype in
            guard case .process(let settings) = task.action(forMember: member), !settings.dtypes.selects(dtype) else {
                return nil
            }
            return settings.dtypes.reason(notSelecting: dtype)
        }
        return request
    }
}

extension FileOutputs {
    /// The outputs' sinks as DropoutFiles' targets (temporaries, or comparisons for `verify`),
    /// named by their final paths.
    var targets: FileTargets {
        FileTargets(data: data.sink, mask: mask?.sink)
    }
}
