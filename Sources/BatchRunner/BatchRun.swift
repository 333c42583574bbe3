import DropoutEngine
import DropoutFiles
import NPZContainer

/// `npdrop run`: walks INPUT, plans file tasks (file × copy) in sorted order, runs them on
/// Dispatch workers through `processor`, writes outputs atomically and the manifest (appended
/// as tasks finish, rewritten sorted at the end), and reports.
public struct BatchRun<Processor: ArrayFileProcessor>: Sendable {
    /// What to run.
    public let options: RunOptions
    /// Does the per-file work.
    public let processor: Processor
    /// Where messages go.
    public let console: RunConsole
    /// Set (by a signal) to stop the run early.
    public let interruption: RunInterruption
    /// Read the final manifest back into `RunReport.records`.
    public let returnsRecords: Bool

    /// A runner; nothing happens until `run()`.
    public init(
        options: RunOptions, processor: Processor, console: RunConsole = .standard,
        interruption: RunInterruption = RunInterruption(), returnsRecords: Bool = true
    ) {
        self.options = options
        self.returnsRecords = returnsRecords
        self.processor = processor
        self.console = console
        self.interruption = interruption
    }

    /// Runs the batch: `plan()` (walk INPUT, take OUT, decide what resumes), `schedule(_:)`
    /// (every task on the workers, each record appended to the log as it finishes), then
    /// `writeManifest(_:_:)` (the sorted manifest and the shard's completion record) and the
    /// report. Returns the report (exit status 0 or 1 in it, or the interruption's); throws
    /// `RunnerError` with `.usage` (exit 2) for impossible requests found before any work (no
    /// input file, OUT busy, unusable or holding an earlier run), and other `RunnerError`s
    /// (exit 1) when the manifest cannot be written.
    public func run() throws -> RunReport {
        let started = ContinuousClock.now
        var plan = try self.plan()
        defer { plan.lock.release() }
        let scheduled = try schedule(&plan)
        let counts = try writeManifest(plan, scheduled)
        return try report(plan, scheduled, counts, seconds: seconds(ContinuousClock.now - started))
    }

    /// What `plan()` decided before any file is processed.
    struct Plan {
        let locations: RunLocations
        /// Held until the run returns.
        let lock: OutputLock
        let manifestPath: String
        let seed: UInt64
        let allFiles: InputFileList
        /// This shard's files (of this shard's positions in `allFiles`; every file when there is no shard).
        let fileCount: Int
        /// The walk's issues of this shard.
        let issues: [WalkIssue]
        /// The issues that are errors, as records (already logged).
        let issueRecords: [ManifestRecord]
        /// Slot s (0..<slotCount, sorted order) is copy s % copies of this shard's file s / copies.
        let slotCount: Int
        /// The task of a slot; built when a worker starts it, so no list of tasks is held.
        let makeTask: @Sendable (Int) -> FileTask
        /// Resuming: the slots still to do, in order (nil: every slot).
        let todo: [Int]?
        /// Resuming: the earlier records of a slot carried over (read again from the earlier
        /// manifest, in slot order, by the manifest writer).
        let carried: (@Sendable (Int) throws -> [ManifestLine])?
        let resumedTasks: Int
        /// Resuming with nothing to do, the earlier manifest exactly what would be written: it
        /// is left as it is (no sorted writer).
        let manifestUnchanged: Bool
        /// Resuming: the records carried over, by status.
        let carriedCounts: SortedManifestWriter.Counts
        /// The position in `allFiles` of a slot's file.
        let position: @Sendable (Int) -> Int
        /// The shard's completion record as written when planned (unfinished).
        let completion: ShardCompletion?
        /// The manifest log, appended to as tasks finish.
        let log: AppendOnlyFile

        var todoCount: Int { todo?.count ?? slotCount }
        /// The slot of the `index`th task to do.
        func slot(ofTodo index: Int) -> Int { todo?[index] ?? index }
    }

    /// Plans the run: walks INPUT, picks this shard's files, takes OUT's lock and prepares OUT
    /// (`--overwrite`, leftovers of a killed run), reads the earlier manifest when resuming and
    /// decides which tasks are carried over, chooses the seed and the deflate engine, writes
    /// the shard's unfinished completion record and opens the manifest log (with the walk's
    /// error records in it). Throws as `run()` does.
    func plan() throws -> Plan {
        let locations = try RunLocations.resolve(
            input: options.input, output: options.output, createOutput: false,
            outputMayBeMissing: true)
        let walk = try InputWalker.walk(
            locations, includeOtherFiles: !options.arraysOnly, keepModificationTimes: options.resume)
        if walk.files.isEmpty && !walk.issues.contains(where: \.isError) {
            let what = options.arraysOnly ? "no .npy or .npz file below it" : "no regular file below it"
            throw RunnerError.usage("INPUT '\(options.input)' holds no file to process (\(what)); nothing was written")
        }
        let shard = options.shard
        let allFiles = walk.files
        // The global positions (in the sorted list every shard sees) of this shard's files; nil: all.
        let owned: [Int]? = shard.map { shard in allFiles.indices.filter { shard.owns(allFiles.relativePath($0)) } }
        let fileCount = owned?.count ?? allFiles.count
        let issues = walk.issues.filter { shard?.owns($0.relativePath) ?? true }
        if let shard, let source = options.shardSource, source != .commandLine, !options.quiet {
            console.line("shard \(shard) (from \(source.rawValue)): \(fileCount) of \(allFiles.count) files")
        }

        try locations.createOutputDirectory()
        let lock = try OutputLock.acquire(
            in: locations.output, shownOutput: options.output,
            scope: shard.map { .shard($0) } ?? .exclusive)
        do {
            return try plan(
                locations: locations, lock: lock, allFiles: allFiles, owned: owned, fileCount: fileCount,
                issues: issues)
        } catch {
            lock.release()
            throw error
        }
    }

    private func plan(
        locations: RunLocations, lock: OutputLock, allFiles: InputFileList, owned: [Int]?,
        fileCount: Int, issues: [WalkIssue]
    ) throws -> Plan {
        let shard = options.shard
        let removedEntries = try ExistingOutput.prepare(
            locations.output, shownOutput: options.output,
            policy: options.existingOutputPolicy, shard: shard,
            manifestName: options.manifestName)
        if !removedEntries.isEmpty && !options.quiet {
            console.line("--overwrite: removed \(removedEntries.joined(separator: ", ")) from an earlier run")
        }

        let manifestPath = RelativePath.join(locations.output, options.manifestName)
        // Read once up front only for its seeds; else its order is checked as it is merged.
        var previous =
            options.resume ? try EarlierManifest.open(path: manifestPath, scanning: options.seed == nil) : nil
        let seed = try chooseSeed(previous: previous)

        // The first deflate checks ISA-L's known answer; where it fails, this run writes zlib blocks.
        var engine = options.deflateEngine
        var isalCheckFailed = false
        if (owned ?? Array(allFiles.indices)).contains(where: { allFiles.kind($0) == .npz }) {
            let checked = options.memberEncoding.checkedForThisMachine(expected: options.isalKnownAnswer)
            engine = checked.encoding.engine
            isalCheckFailed = checked.fallback
            if checked.fallback {
                console.line(MemberEncoding.fallbackMessage(expected: options.isalKnownAnswer))
            }
        }

        // Slot s (0..<slotCount, sorted order) is copy s % copies of this shard's file s / copies;
        // tasks are built from it when a worker starts them, so no list of tasks is held.
        let copies = options.copies
        let slotCount = fileCount * copies
        let options = self.options
        // Keras call indices count array files only (a file carried over is not a layer call).
        var arrayRank: [Int32] = []
        var arrayCount = 0
        if options.rng.isKeras {
            arrayRank.reserveCapacity(allFiles.count)
            for index in allFiles.indices {
                arrayRank.append(Int32(truncatingIfNeeded: arrayCount))
                if allFiles.kind(index) != .other { arrayCount += 1 }
            }
        }
        let makeTask: @Sendable (Int) -> FileTask = { [engine, isalCheckFailed, arrayRank, arrayCount] slot in
            let position = owned?[slot / copies] ?? slot / copies
            let copy = slot % copies
            var task = BatchRun.makeTask(
                allFiles[position], copy: copy, seed: seed, engine: engine,
                isalCheckFailed: isalCheckFailed, options: options)
            task.rng = options.rng
            task.kerasLayer = options.kerasLayer
            task.maskFormat = options.maskFormat
            if options.rng.isKeras {
                task.kerasCall = UInt32(
                    truncatingIfNeeded:
                        UInt64(options.kerasCall) &+ UInt64(copy) &* UInt64(arrayCount) &+ UInt64(arrayRank[position]))
            }
            return task
        }
        // Resuming: the slots whose earlier records are reused, and the others (to do), in order.
        // The earlier manifest is merged with the sorted slots as a stream, here and again by
        // the manifest writer (which reads the records of the slots carried over).
        var todo: [Int]? = nil
        var carried: (@Sendable (Int) throws -> [ManifestLine])? = nil
        var resumedTasks = 0
        var manifestUnchanged = false
        var carriedCounts = SortedManifestWriter.Counts()
        var carriedSource: EarlierManifest?
        if let earlier = previous {
            func decide(_ earlier: EarlierManifest) throws -> ResumeDecisions {
                do {
                    return try ResumeDecisions.decide(
                        earlier: earlier, slotCount: slotCount, copies: copies, outputRoot: locations.output,
                        makeTask: makeTask)
                } catch let refusal as ResumeDecisions.Refusal {
                    throw resumeRefusal(refusal.difference, at: refusal.input)
                }
            }
            var decided: ResumeDecisions
            do {
                decided = try decide(earlier)
            } catch is EarlierManifest.OutOfOrder {
                // A killed run's log: read it whole, its latest records held sorted.
                previous = try EarlierManifest.open(path: manifestPath, scanning: true)
                decided = try decide(previous ?? earlier)
            }
            if decided.invalidLines > 0, !options.quiet {
                console.line(
                    "\(options.manifestName): ignoring \(decided.invalidLines) incomplete line(s) left by an interrupted run"
                )
            }
            todo = decided.todo
            resumedTasks = decided.resumed
            // Nothing to do and the manifest already what it would be rewritten as: left as it is
            // (with --sync it is rewritten and synced as always).
            manifestUnchanged =
                decided.manifestUnchanged && !options.sync && !issues.contains(where: \.isError)
            carriedCounts = decided.counts
            carriedSource = previous ?? earlier
        }
        if let carriedSource, !manifestUnchanged {
            let writerIndex = Locked(try ResumeIndex(manifest: carriedSource, reading: .carriedLines))
            carried = { slot in
                try writerIndex.withLock {
                    try $0.carriedLines(
                        input: allFiles.relativePath(owned?[slot / copies] ?? slot / copies),
                        copy: slot % copies)
                }
            }
        }
        // A shard also keeps its settings in its completion record (what merge-manifests compares):
        // a shard that has no record to compare (no file fell in it) is checked there.
        if options.resume, let shard,
            let earlier = try? ShardCompletion.read(
                path: RelativePath.join(locations.output, ShardCompletion.fileName(of: shard)))
        {
            let now = Dictionary(uniqueKeysWithValues: ShardSettings.pairs(options, seed: seed))
            for (name, value) in ShardSettings.ordered(earlier.settings) where name != "npdrop_version" {
                guard let current = now[name], current != value else { continue }
                throw resumeRefusal(RecordSettings.Difference(name: name, earlier: value, now: current), at: nil)
            }
        }
        // Only now, with the settings known to be the earlier run's, is OUT changed.
        let removed = try TempNames.removeLeftovers(
            under: locations.output, shard: shard, manifestName: options.manifestName)
        if removed > 0 && !options.quiet {
            console.line("removed \(removed) temporary file(s) left by an interrupted run")
        }
        for issue in issues where !issue.isError && !options.quiet {
            console.line("\(issue.relativePath): \(issue.message)")
        }

        let plannedTasks = slotCount + issues.filter(\.isError).count
        let completion = shard.map { shard in
            ShardCompletion(
                shard: shard, complete: false, files: fileCount, tasks: plannedTasks, resumedTasks: resumedTasks,
                records: nil, ok: nil, copied: nil, errors: nil, inputFiles: allFiles.count,
                inputDigest: ShardCompletion.digest(
                    of: allFiles.indices.lazy.map {
                        (allFiles.relativePath($0), allFiles.byteCount($0))
                    }),
                settings: Dictionary(uniqueKeysWithValues: ShardSettings.pairs(options, seed: seed)))
        }
        if let shard, let completion {
            try completion.write(outputDirectory: locations.output, shard: shard, sync: options.sync)
        }

        let log = try AppendOnlyFile(path: manifestPath, truncate: !options.resume)
        let issueRecords = issues.filter(\.isError).map { RecordBuilder.record(for: $0, seed: seed) }
        do {
            for record in issueRecords { console.line("error: \(record.error ?? "")") }
            try log.append(ManifestFiles.encode(issueRecords))
        } catch {
            log.close()
            throw error
        }
        return Plan(
            locations: locations, lock: lock, manifestPath: manifestPath, seed: seed, allFiles: allFiles,
            fileCount: fileCount, issues: issues, issueRecords: issueRecords, slotCount: slotCount,
            makeTask: makeTask, todo: todo, carried: carried, resumedTasks: resumedTasks,
            manifestUnchanged: manifestUnchanged, carriedCounts: carriedCounts,
            position: { slot in owned?[slot / copies] ?? slot / copies }, completion: completion, log: log)
    }

    /// What `schedule(_:)` leaves for the manifest: the sorted writer fed as tasks finished.
    struct Scheduled {
        /// Nil when the manifest is left as it is (`Plan.manifestUnchanged`).
        let manifest: SortedManifestWriter?
        /// Input bytes of the tasks done this run.
        let totalBytes: Int64
        /// Tasks that finished (not interrupted).
        let finishedTasks: Int
        /// The first failure to append to the manifest log.
        let logFailure: RunnerError?
    }

    /// Runs every task still to do on `options.jobs` workers through `processor`; each task's
    /// records go to the manifest log and the sorted writer as it finishes, its errors and
    /// progress to the console. Closes the log. Throws when the sorted manifest cannot be started.
    func schedule(_ plan: inout Plan) throws -> Scheduled {
        defer { plan.log.close() }
        let todoCount = plan.todoCount
        let (makeTask, todo, allFiles, position) = (plan.makeTask, plan.todo, plan.allFiles, plan.position)
        let slotOfTodo: @Sendable (Int) -> Int = { index in todo?[index] ?? index }
        var totalBytes: Int64 = 0
        for index in 0..<todoCount { totalBytes += allFiles.byteCount(position(slotOfTodo(index))) }
        let progress = ProgressMeter(
            label: "npdrop:", totalFiles: todoCount, totalBytes: totalBytes, console: console,
            enabled: !options.quiet && console.errorIsTerminal)
        let manifest =
            plan.manifestUnchanged
            ? nil
            : try SortedManifestWriter(
                path: plan.manifestPath, slotCount: plan.slotCount, copies: options.copies,
                todo: plan.todo, carriedLines: plan.carried,
                issues: ManifestFiles.sorted(plan.issueRecords))
        let log = plan.log
        let logFailure = Locked<RunnerError?>(nil)
        let scheduler = WorkScheduler(
            processor: processor, jobs: options.jobs, outputRoot: plan.locations.output,
            syncOutputs: options.sync, interruption: interruption)
        let finishedTasks = Locked(0)
        scheduler.run(count: todoCount, task: { makeTask(slotOfTodo($0)) }) { index, task, result in
            let records = RecordBuilder.records(task, result: result)
            // Each record is encoded once: the same text goes to the log and the final manifest.
            var bytes: [UInt8] = []
            bytes.reserveCapacity(records.count * 1024)
            var lines: [ManifestLine] = []
            lines.reserveCapacity(records.count)
            var ends: [Int] = []
            for record in records {
                record.encodeLine(into: &bytes)
                ends.append(bytes.count)
                bytes.append(0x0A)
            }
            var start = 0
            for (record, end) in zip(records, ends) {
                lines.append(ManifestLine(record: record, text: bytes[start..<end]))
                start = end + 1
            }
            do {
                try log.append(bytes)
            } catch {
                logFailure.withLock { $0 = $0 ?? (error as? RunnerError) }
            }
            manifest?.finished(todoIndex: index, records: lines)
            if case .interrupted = result { return }
            finishedTasks.withLock { $0 += 1 }
            for record in records where record.status == .error {
                progress.message("error: \(record.error ?? "")")
            }
            progress.fileDone(bytes: task.input.byteCount)
        }
        progress.finish()
        return Scheduled(
            manifest: manifest, totalBytes: totalBytes, finishedTasks: finishedTasks.withLock { $0 },
            logFailure: logFailure.withLock { $0 })
    }

    /// Writes the final, sorted manifest over the log (synced with `--sync`; left as it is when
    /// `Plan.manifestUnchanged`) and, when this shard finished every task, its complete
    /// completion record. Returns the manifest's counts.
    func writeManifest(_ plan: Plan, _ scheduled: Scheduled) throws -> SortedManifestWriter.Counts {
        var counts = plan.carriedCounts
        if let manifest = scheduled.manifest {
            do {
                counts = try manifest.finish(sync: options.sync)
            } catch {
                manifest.abandon()
                throw error
            }
        }
        if let failure = scheduled.logFailure { throw failure }
        if let shard = options.shard, var completion = plan.completion, scheduled.finishedTasks == plan.todoCount {
            completion.complete = true
            completion.records = counts.records
            completion.ok = counts.ok
            completion.copied = counts.copied
            completion.errors = counts.errors
            completion.allOK = counts.errors == 0
            try completion.write(outputDirectory: plan.locations.output, shard: shard, sync: options.sync)
        }
        return counts
    }

    /// Prints the interruption or the summary line (and `--json`), and reads the manifest back
    /// when `returnsRecords`.
    private func report(
        _ plan: Plan, _ scheduled: Scheduled, _ counts: SortedManifestWriter.Counts,
        seconds: Double
    ) throws -> RunReport {
        let interruptedCode = interruption.exitCode
        if interruptedCode != nil {
            let done = plan.resumedTasks + scheduled.finishedTasks
            let total = plan.resumedTasks + plan.todoCount
            console.line("interrupted: \(done) of \(total) file\(total == 1 ? "" : "s") done; rerun with --resume")
        }
        let errors = counts.errors
        let fileCount = plan.fileCount
        let summary = RunSummary(
            files: fileCount, tasks: plan.todoCount, resumedTasks: plan.resumedTasks, arrays: counts.records,
            arraysOK: counts.ok, arraysCopied: counts.copied,
            arrayErrors: errors, skipped: plan.issues.filter { !$0.isError }.count, bytesRead: scheduled.totalBytes,
            seconds: seconds, seed: plan.seed, shard: options.shard?.description,
            exitCode: errors > 0 ? 1 : 0)
        if interruptedCode == nil {
            if !options.quiet {
                console.line(
                    summary.line
                        + (fileCount == 0 && options.shard != nil ? " (no file of INPUT falls in this shard)" : ""))
            }
            if options.json { console.writeOutput(summary.json + "\n") }
        }
        let records = returnsRecords ? try ManifestFiles.read(path: plan.manifestPath)?.records ?? [] : []
        return RunReport(summary: summary, records: records, interruptedExitCode: interruptedCode)
    }

    /// The refusal of `--resume` with settings other than the earlier run's (exit 2, OUT untouched).
    private func resumeRefusal(_ difference: RecordSettings.Difference, at input: String?) -> RunnerError {
        RunnerError.usage(
            "--resume: OUT '\(options.output)' holds a run made with other settings (\(difference)"
                + (input.map { ", first at \($0)" } ?? "")
                + "); resume with the earlier settings, or pass --overwrite to replace the earlier run")
    }

    /// The seed: `--seed`, else (resuming) the one seed of the earlier manifest, else random
    /// (printed on stderr, always: it is needed to repeat the run).
    private func chooseSeed(previous: EarlierManifest?) throws -> UInt64 {
        if let seed = options.seed { return seed }
        if let seeds = previous?.seeds, !seeds.isEmpty {
            guard seeds.count == 1 else {
                let list = seeds.map(String.init).joined(separator: ", ")
                throw RunnerError.usage("--resume: \(options.manifestName) holds several seeds (\(list)); pass --seed")
            }
            return seeds[0]
        }
        if options.shard != nil {
            throw RunnerError.usage("a sharded run needs --seed: every shard must use the same seed")
        }
        var generator = SystemRandomNumberGenerator()
        let drawn: UInt64 = generator.next()
        let seed = options.rng.isKeras ? drawn & 0xFFFF_FFFF : drawn  // Keras seeds are uint32
        console.line("seed \(seed) (drawn at random; pass --seed \(seed) to repeat this run)")
        return seed
    }

    private static func makeTask(
        _ file: InputFile, copy: Int, seed: UInt64, engine: DeflateEngine,
        isalCheckFailed: Bool, options: RunOptions
    ) -> FileTask {
        FileTask(
            input: file, copy: copy, seed: seed, compression: options.compression,
            compressionLevel: file.kind == .npz ? options.compressionLevel : nil,
            deflateBlockSize: file.kind == .npz ? options.deflateBlockSize : nil,
            deflateEngine: engine, isalCheckFailed: isalCheckFailed,
            outputPath: OutputLayout.dataPath(file.relativePath, copy: copy, copies: options.copies),
            maskPath: options.writeMasks && file.kind != .other
                ? OutputLayout.maskPath(file.relativePath, copy: copy, copies: options.copies) : nil,
            segmentHint: SegmentHint(preferredSegmentBytes: options.segmentBytes, workers: options.jobs),
            actions: .rules(options.settings, options.members))
    }
}
