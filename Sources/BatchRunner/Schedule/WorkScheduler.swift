import Dispatch
import DropoutFiles
import Foundation
import NPYStream

/// Runs file tasks on `jobs` Dispatch workers (`DispatchQueue.concurrentPerform`): each worker
/// owns its processor scratch, takes the next unit from the sorted work list (a segment of a
/// file already prepared, else the next file), and the worker that completes a file's last
/// segment finishes and commits it. One file's failure never stops the others.
struct WorkScheduler<Processor: ArrayFileProcessor>: Sendable {
    let processor: Processor
    let jobs: Int
    /// Directory the tasks' relative output paths are placed under.
    let outputRoot: String
    /// `fsync` every output before renaming it (`--sync`); off by default.
    var syncOutputs = false
    /// Set by a signal: no file is started after it, files in flight are abandoned.
    var interruption = RunInterruption()
    /// Compute the digests of each committed task's input and outputs (a run does; `verify`
    /// re-deriving does not need them).
    var computeDigests = true
    /// The output directories already made (each is created once per run).
    let directories: KnownDirectories
    /// `verify`: every output is compared with the file already at its path under
    /// `outputRoot` (`OutputFile.comparing`) instead of written; nothing is created, renamed or
    /// removed, and a committed result carries the comparisons.
    var comparesWithExistingOutputs = false

    init(
        processor: Processor, jobs: Int, outputRoot: String, syncOutputs: Bool = false,
        interruption: RunInterruption = RunInterruption(), computeDigests: Bool = true
    ) {
        self.processor = processor
        self.jobs = jobs
        self.outputRoot = outputRoot
        self.syncOutputs = syncOutputs
        self.interruption = interruption
        self.computeDigests = computeDigests
        directories = KnownDirectories(root: outputRoot)
    }

    private typealias Segment = (file: InFlightFile<Processor.FileState>, index: Int)

    /// Runs every task; calls `onFinished(taskIndex, result)` once per task, from worker
    /// threads, in completion order (the callback must be thread-safe).
    func run(_ tasks: [FileTask], onFinished: @escaping @Sendable (Int, FileTaskResult) -> Void) {
        run(count: tasks.count, task: { tasks[$0] }, onFinished: { index, _, result in onFinished(index, result) })
    }

    /// Runs tasks `0..<count`, each built by `task(index)` when a worker starts it (so the
    /// whole list is never held); calls `onFinished(taskIndex, task, result)` once per task
    /// started, from worker threads, in completion order (the callback must be thread-safe).
    func run(
        count: Int, task makeTask: @escaping @Sendable (Int) -> FileTask,
        onFinished: @escaping @Sendable (Int, FileTask, FileTaskResult) -> Void
    ) {
        guard count > 0 else { return }
        let queue = WorkQueue<Segment>(taskCount: count, interruption: interruption)
        DispatchQueue.concurrentPerform(iterations: max(1, jobs)) { _ in
            var worker = processor.makeWorkerState()
            while let item = queue.take() {
                switch item {
                case .start(let index):
                    start(index, task: makeTask(index), queue: queue, worker: &worker, onFinished: onFinished)
                case .segment(let segment):
                    run(segment, worker: &worker, onFinished: onFinished)
                }
            }
        }
    }

    private func start(
        _ index: Int, task: FileTask, queue: WorkQueue<Segment>, worker: inout Processor.WorkerState,
        onFinished: (Int, FileTask, FileTaskResult) -> Void
    ) {
        let outputs: FileOutputs
        do {
            outputs = try makeOutputs(task)
        } catch {
            queue.finishedPreparing(adding: [])
            if interruption.isRequested {
                onFinished(index, task, .interrupted)
                return
            }
            // The runner's own I/O errors name an output path; the message must name the input too.
            let failure = failureDescription(error)
            onFinished(
                index, task,
                .failed(member: nil, message: "\(task.input.relativePath): \(failure.message)", outcome: nil))
            return
        }
        if task.input.kind == .other {
            queue.finishedPreparing(adding: [])
            onFinished(index, task, copyPlainFile(task, outputs: outputs))
            return
        }
        let plan: FilePlan<Processor.FileState>
        do {
            plan = try processor.prepare(task, outputs: outputs, worker: &worker)
        } catch {
            queue.finishedPreparing(adding: [])
            discard(outputs)
            if interruption.isRequested {
                onFinished(index, task, .interrupted)
                return
            }
            let failure = failureDescription(error)
            onFinished(index, task, .failed(member: failure.member, message: failure.message, outcome: nil))
            return
        }
        guard plan.segmentCount >= 1 else {
            queue.finishedPreparing(adding: [])
            processor.abandon(plan, task: task)
            discard(outputs)
            onFinished(
                index, task,
                .failed(
                    member: nil, message: "\(task.input.relativePath): processor planned \(plan.segmentCount) segments",
                    outcome: nil))
            return
        }
        let file = InFlightFile(taskIndex: index, task: task, plan: plan, outputs: outputs)
        queue.finishedPreparing(adding: (1..<plan.segmentCount).map { (file, $0) })
        run((file, 0), worker: &worker, onFinished: onFinished)
    }

    private func run(
        _ segment: Segment, worker: inout Processor.WorkerState,
        onFinished: (Int, FileTask, FileTaskResult) -> Void
    ) {
        let file = segment.file
        let task = file.task
        if interruption.isRequested {
            file.fail(RunInterrupted())
        } else if !file.hasFailed {
            do {
                try processor.process(
                    segment: segment.index, of: file.plan, task: task, outputs: file.outputs, worker: &worker)
            } catch {
                file.fail(error)
            }
        }
        guard file.completeSegment() else { return }
        onFinished(file.taskIndex, task, complete(file, task: task, worker: &worker))
    }

    /// Finishes and commits a file whose segments are all done, or cleans it up.
    private func complete(
        _ file: InFlightFile<Processor.FileState>, task: FileTask,
        worker: inout Processor.WorkerState
    ) -> FileTaskResult {
        if let failure = file.failure {
            processor.abandon(file.plan, task: task)
            discard(file.outputs)
            if interruption.isRequested { return .interrupted }
            return .failed(member: failure.member, message: failure.message, outcome: nil)
        }
        if interruption.isRequested {
            processor.abandon(file.plan, task: task)
            discard(file.outputs)
            return .interrupted
        }
        let outcome: FileOutcome
        do {
            outcome = try processor.finish(file.plan, task: task, outputs: file.outputs, worker: &worker)
        } catch {
            discard(file.outputs)
            if interruption.isRequested { return .interrupted }
            let failure = failureDescription(error)
            return .failed(member: failure.member, message: failure.message, outcome: nil)
        }
        for array in outcome.arrays {
            if case .failed(let message) = array.status {
                discard(file.outputs)
                return .failed(member: array.member, message: message, outcome: outcome)
            }
        }
        return commitChecked(task, outputs: file.outputs, outcome: outcome)
    }

    /// Digests (when `computeDigests`) and commits the complete outputs of `task`.
    private func commitChecked(_ task: FileTask, outputs: FileOutputs, outcome: FileOutcome) -> FileTaskResult {
        var digests = FileDigests()
        do {
            if computeDigests {
                // Checksummed as the bytes passed; only what the job did not read or write is read back.
                digests.input = try InputState.streamed(
                    task.input.absolutePath, name: task.input.relativePath,
                    digest: outputs.inputDigest)
                digests.output = try outputs.data.contentDigest()
                if outcome.maskWritten, let mask = outputs.mask { digests.mask = try mask.contentDigest() }
            }
            try commit(outputs, maskWritten: outcome.maskWritten)
            digests.outputComparison = outputs.data.comparison
            if outcome.maskWritten { digests.maskComparison = outputs.mask?.comparison }
        } catch {
            discard(outputs)
            if interruption.isRequested { return .interrupted }
            return .failed(
                member: nil, message: "\(task.input.relativePath): \(failureDescription(error).message)", outcome: nil)
        }
        return .committed(outcome, digests)
    }

    /// Carries a file that is not an array over unchanged (`FileCopy`).
    private func copyPlainFile(_ task: FileTask, outputs: FileOutputs) -> FileTaskResult {
        do {
            let input = try RunnerFS.open(
                task.input.absolutePath, flags: O_RDONLY, operation: "open",
                name: task.input.relativePath, digest: outputs.inputDigest)
            _ = try RunnerFS.mappingErrors {
                try FileCopy.copy(
                    input, to: outputs.targets.data, name: task.input.relativePath,
                    checkpoint: outputs.data.checkWritable)
            }
        } catch {
            discard(outputs)
            if interruption.isRequested { return .interrupted }
            return .failed(
                member: nil, message: "\(task.input.relativePath): \(failureDescription(error).message)", outcome: nil)
        }
        var array = ArrayOutcome(member: nil, status: .copied)
        array.reason = "not an .npy or .npz file"
        let outcome = FileOutcome(arrays: [array], maskWritten: false)
        return commitChecked(task, outputs: outputs, outcome: outcome)
    }

    private func makeOutputs(_ task: FileTask) throws -> FileOutputs {
        let tag = TempNames.tag(forInput: task.input.relativePath)
        func create(_ relative: String) throws -> OutputFile {
            let final = RelativePath.join(outputRoot, relative)
            if comparesWithExistingOutputs {
                return OutputFile.comparing(finalPath: final, relativePath: relative, interruption: interruption)
            }
            try directories.ensure(RelativePath.directoryName(relative))
            return try OutputFile.create(
                finalPath: final, relativePath: relative, tempTag: tag, interruption: interruption,
                digesting: computeDigests)
        }
        let data = try create(task.outputPath)
        do {
            return FileOutputs(
                data: data, mask: try task.maskPath.map(create),
                inputDigest: computeDigests ? ByteRangeDigest() : nil)
        } catch {
            data.discard()
            throw error
        }
    }

    private func discard(_ outputs: FileOutputs) {
        outputs.data.discard()
        outputs.mask?.discard()
    }

    /// Renames the mask (or removes it when none was written), then the data; when the data
    /// cannot be renamed the mask just committed is removed again.
    private func commit(_ outputs: FileOutputs, maskWritten: Bool) throws {
        if let mask = outputs.mask {
            if maskWritten {
                do {
                    try mask.commit(sync: syncOutputs)
                } catch {
                    outputs.data.discard()
                    throw error
                }
            } else {
                mask.discard()
            }
        }
        do {
            try outputs.data.commit(sync: syncOutputs)
        } catch {
            if let mask = outputs.mask, maskWritten { try? RunnerFS.removeFile(mask.finalPath) }
            throw error
        }
    }
}
