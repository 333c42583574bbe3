import Dispatch
import DropoutEngine
import DropoutFiles
import NPZContainer

/// `npdrop verify INPUT OUT`: re-derives every record of OUT's manifest from INPUT with the
/// record's own settings and seed, through the same processor and scheduler as `run`, and
/// compares every output with OUT's file in memory as it streams (`OutputFile.comparing`: the
/// bytes are checked where a run would write them; nothing is written, no scratch space):
/// byte for byte, except that an `.npz` with deflated members compares by content
/// (`ZipContentCheck`). Also compares the records' shape, dtype, order and noise shape with
/// what the processor reports.
/// An `error` record counts as a mismatch: its array is missing from OUT.
public struct BatchVerifier<Processor: ArrayFileProcessor>: Sendable {
    /// What to verify.
    public let options: VerifyOptions
    /// Re-derives the outputs.
    public let processor: Processor
    /// Where messages go.
    public let console: RunConsole
    /// File tasks read from the manifest, checked and re-derived at a time: what is held.
    var batchSize = 2048

    /// A verifier; nothing happens until `run()`.
    public init(options: VerifyOptions, processor: Processor, console: RunConsole = .standard) {
        self.options = options
        self.processor = processor
        self.console = console
    }

    /// Verifies; throws `.usage` when INPUT/OUT are unusable or OUT has no manifest.
    ///
    /// The manifest is read as a stream (`VerifyManifest`), a batch of file tasks at a time,
    /// each batch checked on `jobs` workers; the unexplained files are found by merging the
    /// records' paths with a sorted walk of OUT (`UnexplainedFiles.Merge`). Memory does not grow
    /// with the number of records (except for a manifest that is not sorted, held whole).
    public func run() throws -> VerifyReport {
        let started = ContinuousClock.now
        let locations = try RunLocations.resolve(input: options.input, output: options.output, createOutput: false)
        // No run may write OUT while it is checked; an OUT this process cannot write is verified unlocked.
        let lock: OutputLock?
        do {
            lock = try OutputLock.acquire(in: locations.output, shownOutput: options.output, scope: .exclusive)
        } catch RunnerError.usage(let message) where message.hasPrefix("cannot write in OUT") {
            lock = nil
        }
        defer { lock?.release() }
        let manifest = try VerifyManifest.open(output: locations.output, shownOutput: options.output)
        var mismatches: [String] = []
        if manifest.invalidLines > 0 {
            mismatches.append("\(manifest.source): \(manifest.invalidLines) line(s) are not valid records")
        }
        if !options.quick { for line in mismatches { console.line(line) } }
        let unexplained = try UnexplainedFiles.Merge(output: locations.output)
        var groups = VerifyGroups(try manifest.records())
        let progress = ProgressMeter(
            label: "npdrop verify:", totalFiles: manifest.taskCount, totalBytes: manifest.inputBytes,
            console: console, enabled: !options.quiet && !options.quick && console.errorIsTerminal)
        var files = 0
        while true {
            let batch = try groups.next(upTo: batchSize)
            if batch.isEmpty { break }
            for group in batch {
                for record in group {
                    if let output = record.output { try unexplained.explain(output) }
                    if let mask = record.mask { try unexplained.explain(mask) }
                }
            }
            if options.quick {
                files += batch.count
                mismatches += BatchVerifier.checkDigests(batch, output: locations.output, jobs: options.jobs)
            } else {
                let (checked, problems) = rederive(batch, locations: locations, progress: progress)
                files += checked
                mismatches += problems
            }
        }
        progress.finish()
        var unexplainedFiles = try unexplained.finish()
        if !unexplained.isOrdered {
            // An edited manifest whose paths are not in order: every path held, as before streaming.
            var explained = Set<[UInt8]>()
            var records = try manifest.records()
            while let record = try records.next() {
                if let output = record.output { explained.insert(Array(output.utf8)) }
                if let mask = record.mask { explained.insert(Array(mask.utf8)) }
            }
            unexplainedFiles = try UnexplainedFiles.find(in: locations.output, explained: explained)
        }
        let unexplainedLines = unexplainedFiles.map { "\($0): in OUT but no manifest record explains it" }
        if !options.quick { for line in unexplainedLines { console.line(line) } }
        mismatches += unexplainedLines
        if options.quick {
            mismatches.sort(by: RelativePath.precedes)
            for line in mismatches { console.line(line) }
        } else {
            mismatches.sort()
        }
        let report = VerifyReport(
            records: groups.recordCount, files: files, mismatches: mismatches,
            seconds: seconds(ContinuousClock.now - started))
        if !options.quiet { console.line(report.line) }
        if options.json { console.writeOutput(report.json + "\n") }
        return report
    }

    /// Re-derives the file tasks of `batch` (one group of records per input file and copy) on
    /// `jobs` workers, comparing every output with OUT's file while it streams (nothing is
    /// written); prints each mismatch as found. Returns the tasks re-derived and the mismatches.
    private func rederive(
        _ batch: [[ManifestRecord]], locations: RunLocations, progress: ProgressMeter
    ) -> (tasks: Int, mismatches: [String]) {
        var tasks: [FileTask] = []
        var taskRecords: [[ManifestRecord]] = []
        var mismatches: [String] = []
        for group in batch {
            switch plan(group, locations: locations) {
            case .success(let task):
                tasks.append(task)
                taskRecords.append(group)
            case .failure(let problems):
                for line in problems.lines { progress.message(line) }
                mismatches += problems.lines
            }
        }
        let found = Locked<[String]>([])
        let allTasks = tasks
        let allRecords = taskRecords
        var scheduler = WorkScheduler(
            processor: processor, jobs: options.jobs, outputRoot: locations.output, computeDigests: false)
        scheduler.comparesWithExistingOutputs = true
        scheduler.run(allTasks) { index, result in
            let problems = BatchVerifier.check(allTasks[index], records: allRecords[index], result: result)
            for line in problems { progress.message(line) }
            found.withLock { $0 += problems }
            progress.fileDone(bytes: allTasks[index].input.byteCount)
        }
        return (tasks.count, mismatches + found.withLock { $0 })
    }

    private struct Problems: Error {
        var lines: [String]
    }

    private static func name(_ record: ManifestRecord) -> String {
        record.input + (record.member.map { " [\($0)]" } ?? "") + " copy \(record.copy)"
    }

    /// The task that re-derives one (input, copy) group of records, or why it cannot be made.
    private func plan(_ group: [ManifestRecord], locations: RunLocations) -> Result<FileTask, Problems> {
        let first = group[0]
        let errors = group.filter { $0.status == .error }
        if !errors.isEmpty {
            return .failure(
                Problems(lines: errors.map { "\(BatchVerifier.name($0)): recorded error: \($0.error ?? "")" }))
        }
        func fail(_ text: String) -> Result<FileTask, Problems> {
            .failure(Problems(lines: ["\(BatchVerifier.name(first)): \(text)"]))
        }
        guard RelativePath.isSafe(first.input) else { return fail("input path is not a safe relative path") }
        guard first.copy >= 0 else { return fail("copy must be a non-negative integer") }
        guard let outputPath = first.output, RelativePath.isSafe(outputPath),
            group.allSatisfy({ $0.output.map { RelativePath.sameBytes($0, outputPath) } ?? false })
        else { return fail("records disagree on a safe output path") }
        let masks = group.compactMap(\.mask)
        let maskPath = masks.first
        if let maskPath {
            guard RelativePath.isSafe(maskPath), masks.allSatisfy({ RelativePath.sameBytes($0, maskPath) }) else {
                return fail("records disagree on a safe mask path")
            }
        }
        guard group.allSatisfy({ $0.seed == first.seed }) else {
            return fail("records of one file carry different seeds")
        }

        let absolute: String
        if locations.inputIsDirectory {
            absolute = RelativePath.join(locations.input, first.input)
        } else {
            guard RelativePath.sameBytes(first.input, RelativePath.baseName(locations.input)) else {
                return fail("INPUT is the single file '\(RelativePath.baseName(locations.input))'")
            }
            absolute = locations.input
        }
        let kind: InputFile.Kind
        if let arrayKind = InputWalker.kind(ofName: first.input) {
            kind = arrayKind
        } else {
            guard group.count == 1, first.member == nil, first.status == .copied else {
                return fail("records do not fit a file that is not .npy or .npz (carried over unchanged)")
            }
            kind = .other
        }
        guard case .regular(let size)? = try? RunnerFS.entryKind(absolute, followLinks: false) else {
            return fail("input file is missing from INPUT")
        }
        guard (kind == .npz) == (first.member != nil), group.count == 1 || kind == .npz else {
            return fail("records do not fit a .\(kind.rawValue) file")
        }
        // Each record's settings as typed values, parsed once.
        var settings: [RecordSettings] = []
        for record in group {
            do {
                settings.append(try record.settings())
            } catch {
                return .failure(
                    Problems(lines: ["\(BatchVerifier.name(record)): invalid settings in the record: \(error)"]))
            }
        }
        var actions: [(member: String?, action: ArrayAction)] = []
        for (record, recorded) in zip(group, settings) {
            switch record.status {
            case .copied:
                actions.append((record.member, .copy))
            case .ok:
                guard let dropout = recorded.dropout else {
                    return .failure(
                        Problems(lines: [
                            "\(BatchVerifier.name(record)): invalid settings in the record: variant and rate are required"
                        ]))
                }
                actions.append((record.member, .process(dropout)))
            case .error:
                break
            }
        }
        let firstSettings = settings[0]
        var compression = NPZCompression.input
        var level: Int?
        var engine = DeflateEngine.zlib
        if kind == .npz {
            engine = firstSettings.deflateEngine ?? .zlib
            if engine == .isal {
                guard first.compressionLevel == DeflateEngine.isalLevel else {
                    return fail(
                        "compression_level \(first.compressionLevel.map(String.init) ?? "null") is not ISA-L's level \(DeflateEngine.isalLevel)"
                    )
                }
                // Re-derived with zlib blocks where this machine's ISA-L fails its known answer:
                // deflated members are compared by content.
                if !IsalKnownAnswer.passesOnThisMachine { engine = .zlib }
            } else if let recorded = first.compressionLevel {
                guard MemberEncoding.levelProblem(recorded) == nil, recorded != -1 else {
                    return fail("compression_level \(recorded) is not a zlib level 0...9")
                }
                level = recorded
            }
            compression = firstSettings.compression ?? .input
            if let size = first.deflateBlockSize {
                guard ParallelDeflateOptions.blockSizeRange.contains(size) else {
                    return fail("deflate_block_size \(size) is outside \(ParallelDeflateOptions.blockSizeRange)")
                }
            }
        }
        let file = InputFile(relativePath: first.input, absolutePath: absolute, kind: kind, byteCount: size)
        var task = FileTask(
            input: file, copy: first.copy, seed: first.seed, compression: compression, compressionLevel: level,
            deflateBlockSize: kind == .npz ? first.deflateBlockSize : nil, deflateEngine: engine,
            outputPath: outputPath,
            maskPath: maskPath,
            segmentHint: SegmentHint(preferredSegmentBytes: options.segmentBytes, workers: options.jobs),
            actions: .recorded(actions))
        if let index = group.firstIndex(where: { $0.mask != nil }), let format = settings[index].maskFormat {
            task.maskFormat = format
        }
        // The stream of the task's processed records (one task: one rng and call).
        if let index = group.firstIndex(where: { $0.status == .ok }), let rng = settings[index].rng {
            task.rng = rng
            task.kerasCall = UInt32(truncatingIfNeeded: settings[index].kerasCall ?? 0)
            task.kerasLayer = settings[index].kerasLayer ?? false
        }
        return .success(task)
    }

    /// `--quick`: the size and CRC-32C of every output and mask file named by `groups` (one
    /// group per input file and copy) against what the records keep, read on `jobs` threads.
    static func checkDigests(_ groups: [[ManifestRecord]], output: String, jobs: Int) -> [String] {
        var checks: [(path: String, size: Int64?, crc: UInt32?, label: String)] = []
        var problems: [String] = []
        for group in groups {
            let first = group[0]
            if let failed = group.first(where: { $0.status == .error }) {
                problems.append("\(name(failed)): recorded error: \(failed.error ?? "")")
                continue
            }
            guard let path = first.output, RelativePath.isSafe(path) else {
                problems.append("\(name(first)): no safe output path in the record")
                continue
            }
            checks.append((path, first.outputSize, first.outputCRC32C, name(first)))
            if let masked = group.first(where: { $0.mask != nil }), let mask = masked.mask {
                guard RelativePath.isSafe(mask) else {
                    problems.append("\(name(masked)): mask path is not a safe relative path")
                    continue
                }
                checks.append((mask, masked.maskSize, masked.maskCRC32C, name(masked)))
            }
        }
        let found = Locked<[String]>([])
        let next = Locked(0)
        let all = checks
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, all.count))) { _ in
            while true {
                let index = next.withLock { value -> Int in
                    defer { value += 1 }
                    return value
                }
                guard index < all.count else { return }
                let check = all[index]
                guard let size = check.size, let crc = check.crc else {
                    found.withLock {
                        $0.append(
                            "\(check.label): no checksum recorded for \(check.path) (an older npdrop wrote it); run verify without --quick"
                        )
                    }
                    continue
                }
                let line: String?
                do {
                    if let digest = try FileDigest.of(path: RelativePath.join(output, check.path)) {
                        if digest.size != size {
                            line = "\(check.path): \(digest.size) bytes, the record says \(size)"
                        } else if digest.crc32c != crc {
                            line = "\(check.path): CRC-32C \(digest.crc32c) differs from the recorded \(crc)"
                        } else {
                            line = nil
                        }
                    } else {
                        line = "\(check.path): missing from OUT"
                    }
                } catch {
                    line = "\(check.path): cannot read: \(error)"
                }
                if let line { found.withLock { $0.append(line) } }
            }
        }
        return problems + found.withLock { $0 }
    }

    /// Mismatches between a re-derived task (its outputs compared with OUT's as they streamed)
    /// and OUT.
    static func check(_ task: FileTask, records: [ManifestRecord], result: FileTaskResult) -> [String] {
        let label = "\(task.input.relativePath) copy \(task.copy)"
        guard case .committed(let outcome, let digests) = result else {
            if case .failed(let member, let message, _) = result {
                return ["\(label)\(member.map { " [\($0)]" } ?? ""): cannot re-derive: \(message)"]
            }
            return []
        }
        var problems: [String] = []
        func report(_ relative: String, _ comparison: ComparingOutputSink.Comparison?) {
            switch comparison {
            case .identical?, .content(difference: nil)?:
                break
            case .missing?:
                problems.append("\(relative): missing from OUT")
            case .sizeDiffers(let want, let have)?:
                problems.append("\(relative): \(have) bytes, re-derived \(want) bytes")
            case .differsAt(let offset)?:
                problems.append("\(relative): differs from the re-derived bytes at offset \(offset)")
            case .content(let difference?)?:
                problems.append("\(relative): \(difference)")
            case .unreadable(let message)?:
                problems.append("\(relative): cannot compare: \(message)")
            case nil:
                problems.append("\(relative): not compared")
            }
        }
        report(task.outputPath, digests.outputComparison)
        if let mask = task.maskPath {
            if outcome.maskWritten {
                report(mask, digests.maskComparison)
            } else {
                problems.append("\(mask): listed in the manifest but re-deriving wrote no mask")
            }
        }
        for record in records {
            guard let array = outcome.arrays.first(where: { FileTask.sameMember($0.member, record.member) }) else {
                problems.append("\(name(record)): not found in the input")
                continue
            }
            let copied = array.status == .copied
            if copied != (record.status == .copied) {
                problems.append(
                    "\(name(record)): manifest says \(record.status.rawValue), re-derived \(copied ? "copied" : "ok")")
            }
            func differ<T: Equatable>(_ field: String, _ recorded: T?, _ derived: T?) {
                if recorded != derived {
                    problems.append(
                        "\(name(record)): manifest \(field) \(recorded.map { "\($0)" } ?? "null"), re-derived \(derived.map { "\($0)" } ?? "null")"
                    )
                }
            }
            differ("shape", record.shape, array.shape)
            differ("dtype", record.dtype, array.dtype)
            differ("fortran_order", record.fortranOrder, array.fortranOrder)
            if !copied { differ("noise_shape", record.noiseShape, array.noiseShape) }
        }
        for array in outcome.arrays where !records.contains(where: { FileTask.sameMember($0.member, array.member) }) {
            problems.append("\(label) [\(array.member ?? "")]: in the input but not in the manifest")
        }
        return problems
    }
}
