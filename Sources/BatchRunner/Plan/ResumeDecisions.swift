/// `--resume`'s deciding pass: the earlier manifest read once as a stream (`ResumeIndex`,
/// `.decisions`) merged with this run's slots in order; each record's settings compared once
/// (`ResumeSettings.compare`, parsed once per distinct settings text), a difference refuses the
/// run, a stale record is redone.
struct ResumeDecisions {
    /// The slots still to do, in order.
    var todo: [Int] = []
    /// Slots carried over.
    var resumed = 0
    /// Lines of the earlier manifest that are not records.
    var invalidLines = 0
    /// Nothing is left to do and the earlier manifest holds exactly the canonical lines of the
    /// records carried over, in manifest order, each once and nothing else: the final manifest
    /// would be the same bytes, so it is left as it is (`counts` are its counts).
    var manifestUnchanged = false
    /// The records carried over, by status.
    var counts = SortedManifestWriter.Counts()

    /// A setting of the earlier run differs from this run's (the run is refused).
    struct Refusal: Error {
        let difference: RecordSettings.Difference
        /// The input relpath of the first record that differs.
        let input: String
    }

    /// Decides every slot `0..<slotCount` (`makeTask(slot)`: copy `slot % copies` of a file)
    /// against `earlier`. Throws `Refusal`, `RunnerError.io` or `EarlierManifest.OutOfOrder`
    /// (a manifest opened without the scan turned out not to be sorted).
    static func decide(
        earlier: EarlierManifest, slotCount: Int, copies: Int, outputRoot: String,
        makeTask: (Int) -> FileTask
    ) throws -> ResumeDecisions {
        var index = try ResumeIndex(manifest: earlier, reading: .decisions, outputRoot: outputRoot)
        var decisions = ResumeDecisions()
        var memo = ResumeSettings.Memo()
        // The bytes of the canonical lines carried over (nil once a line carried is not canonical).
        var carriedBytes: Int? = 0
        for slot in 0..<slotCount {
            let task = makeTask(slot)
            // Settings other than the earlier run's are refused before OUT is touched.
            if task.copy == 0 {
                let recorded = try index.recordedCopies(input: task.input.relativePath)
                if recorded > copies {
                    throw Refusal(
                        difference: RecordSettings.Difference(
                            name: "copies", earlier: "at least \(recorded)", now: "\(copies)"),
                        input: task.input.relativePath)
                }
            }
            // Each record compared once: a difference refuses, a stale record is redone.
            let entries = try index.entries(for: task)
            var allSame = true
            for entry in entries {
                switch ResumeSettings.compare(entry.record, with: task, memo: &memo) {
                case .same: continue
                case .differs(let difference): throw Refusal(difference: difference, input: task.input.relativePath)
                case .stale: allSame = false
                }
            }
            guard allSame, index.isReusable(entries, for: task) else {
                decisions.todo.append(slot)
                continue
            }
            decisions.resumed += 1
            for entry in entries {
                switch entry.record.status {
                case .ok: decisions.counts.ok += 1
                case .copied: decisions.counts.copied += 1
                case .error: decisions.counts.errors += 1
                }
                if let bytes = carriedBytes, entry.canonical, let length = entry.lineBytes {
                    carriedBytes = bytes + length + 1
                } else {
                    carriedBytes = nil
                }
            }
            decisions.counts.records += entries.count
        }
        decisions.invalidLines = try earlier.invalidLines ?? index.invalidLinesOfTheRest()
        // Lines are disjoint parts of the file, each with its newline: when those carried add up
        // to the whole file, it holds nothing else (no other record, blank, cut-off or overlong line).
        if decisions.todo.isEmpty, let carriedBytes, let fileBytes = index.manifestBytes, carriedBytes == fileBytes {
            decisions.manifestUnchanged = true
        }
        return decisions
    }
}
