/// Writes a run's final manifest in manifest order (`ManifestRecord.precedes`) while its file
/// tasks finish in any order, holding only the records of tasks that finished ahead of an
/// earlier one still running (tasks are started in sorted order, so that window is about the
/// number of workers): memory does not grow with the number of files.
///
/// The run's tasks are the slots `0..<slotCount` in sorted order, slot = file × `copies` +
/// copy. A slot is either carried over (by `--resume`: its records are asked of `carriedLines`
/// when the writer reaches it, in slot order) or to do; the to-do slots, in order, are numbered
/// by `todo` (nil: every slot is to do; a slot not in `todo` is carried over). Records of a
/// file (all its copies) are sorted together, and the walk's error records are merged in by
/// relpath. The manifest is written under a temporary name next to `path` and renamed over it
/// by `finish()`.
final class SortedManifestWriter: Sendable {
    // Records are `ManifestLine`s: a record carried over keeps its earlier line's text.
    /// What was written.
    struct Counts: Sendable {
        var records = 0
        var ok = 0
        var copied = 0
        var errors = 0
    }

    private struct State {
        var pending: [Int: [ManifestLine]] = [:]
        var nextSlot = 0
        var nextTodo = 0
        var group: [ManifestLine] = []
        var issueCursor = 0
        var buffer: [UInt8] = []
        var offset: Int64 = 0
        var counts = Counts()
        var failure: (any Error)?
    }

    private static let bufferBytes = 256 * 1024
    private let slotCount: Int
    private let copies: Int
    private let todo: [Int]?
    private let issues: [ManifestRecord]
    private let carriedLines: (@Sendable (Int) throws -> [ManifestLine])?
    private let file: OutputFile
    private let state: Locked<State>

    /// A writer for `path`; `issues` sorted; `carriedLines` gives the records of a slot carried
    /// over (called in slot order, under the writer's lock). Throws `RunnerError.io`.
    init(
        path: String, slotCount: Int, copies: Int, todo: [Int]?,
        carriedLines: (@Sendable (Int) throws -> [ManifestLine])?, issues: [ManifestRecord]
    ) throws {
        self.carriedLines = carriedLines
        self.slotCount = slotCount
        self.copies = max(1, copies)
        self.todo = todo
        self.issues = issues
        file = try OutputFile.create(finalPath: path, relativePath: path, tempTag: TempNames.manifestTag)
        state = Locked(State())
    }

    /// The records of to-do task `todoIndex` (the task of slot `todo[todoIndex]`), which
    /// finished; writes every record now in order. Thread-safe.
    func finished(todoIndex: Int, records: [ManifestLine]) {
        state.withLock { state in
            state.pending[todoIndex] = records
            advance(&state, draining: false)
        }
    }

    /// Writes what is left (tasks that never finished, e.g. after an interruption, have no
    /// records), renames the manifest into place (synced first as every output with `sync`)
    /// and returns the counts. Throws `RunnerError.io`.
    func finish(sync: Bool = false) throws -> Counts {
        try state.withLock { state in
            advance(&state, draining: true)
            flushGroup(&state)
            while state.issueCursor < issues.count {
                emit(issues[state.issueCursor], &state)
                state.issueCursor += 1
            }
            flushBuffer(&state)
            if let failure = state.failure {
                file.discard()
                throw failure
            }
            try file.commit(sync: sync)
            return state.counts
        }
    }

    /// Removes the temporary manifest (when the run fails before `finish`).
    func abandon() { file.discard() }

    private func advance(_ state: inout State, draining: Bool) {
        while state.nextSlot < slotCount {
            let slot = state.nextSlot
            let records: [ManifestLine]
            if let todo, state.nextTodo >= todo.count || todo[state.nextTodo] != slot {
                do {
                    records = try carriedLines?(slot) ?? []
                } catch {
                    records = []
                    if state.failure == nil { state.failure = error }
                }
            } else if let done = state.pending.removeValue(forKey: state.nextTodo) {
                records = done
                state.nextTodo += 1
            } else if draining {
                records = []
                state.nextTodo += 1
            } else {
                return
            }
            if slot % copies == 0 { flushGroup(&state) }
            state.group += records
            state.nextSlot += 1
        }
    }

    /// Writes the records of the file just completed, sorted, after the issues before them.
    private func flushGroup(_ state: inout State) {
        guard !state.group.isEmpty else { return }
        let sorted =
            state.group.count == 1 ? state.group : state.group.sorted { ManifestRecord.precedes($0.record, $1.record) }
        state.group.removeAll(keepingCapacity: true)
        for line in sorted {
            while state.issueCursor < issues.count && ManifestRecord.precedes(issues[state.issueCursor], line.record) {
                emit(issues[state.issueCursor], &state)
                state.issueCursor += 1
            }
            emit(line.record, text: line.text, &state)
        }
    }

    private func emit(_ record: ManifestRecord, text: ArraySlice<UInt8>? = nil, _ state: inout State) {
        if let text { state.buffer.append(contentsOf: text) } else { record.encodeLine(into: &state.buffer) }
        state.buffer.append(0x0A)
        state.counts.records += 1
        switch record.status {
        case .ok: state.counts.ok += 1
        case .copied: state.counts.copied += 1
        case .error: state.counts.errors += 1
        }
        if state.buffer.count >= SortedManifestWriter.bufferBytes { flushBuffer(&state) }
    }

    private func flushBuffer(_ state: inout State) {
        guard !state.buffer.isEmpty, state.failure == nil else { return }
        do {
            try RunnerFS.mappingErrors { try state.buffer.withUnsafeBytes { try file.write($0, at: state.offset) } }
            state.offset += Int64(state.buffer.count)
        } catch {
            state.failure = error
        }
        state.buffer.removeAll(keepingCapacity: true)
    }
}

/// A manifest record, and the bytes of its line (without newline) when already encoded or to be
/// written as it was read.
struct ManifestLine: Sendable {
    var record: ManifestRecord
    var text: ArraySlice<UInt8>?
}
