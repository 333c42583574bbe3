import DropoutEngine
import NPYFormat

/// The records of an earlier (possibly killed) run, by file task, for `--resume`.
///
/// A file task (input file × copy) is skipped when the earlier manifest holds records for it,
/// none of them an error, each with this run's settings (`ResumeSettings.compare`: the typed
/// values of `RecordSettings`) and output and mask paths, its input still has
/// the size and modification time the records keep, and its output (and mask, when recorded)
/// files exist with the sizes the records keep. Anything else is stale and redone (a record
/// from before these fields existed too). `npdrop verify --quick` checks the output bytes
/// against their checksums; `npdrop verify` re-derives them.
struct ResumeIndex {
    private var byTask: [TaskKey: [(record: ManifestRecord, line: String)]] = [:]

    private struct TaskKey: Hashable {
        let input: [UInt8]
        let copy: Int
    }

    /// Indexes the latest record of each array, with the text of its line.
    init(entries: [(record: ManifestRecord, line: String)]) {
        for entry in entries {
            byTask[TaskKey(input: Array(entry.record.input.utf8), copy: entry.record.copy), default: []].append(entry)
        }
    }

    /// The earlier records of `task`'s input and copy, oldest first.
    func records(for task: FileTask) -> [ManifestRecord] {
        byTask[TaskKey(input: Array(task.input.relativePath.utf8), copy: task.copy)]?.map(\.record) ?? []
    }

    /// One more than the highest copy index recorded (0 when empty).
    var copyCount: Int {
        (byTask.keys.map(\.copy).max() ?? -1) + 1
    }

    /// The distinct seeds in the index, sorted.
    var seeds: [UInt64] {
        Array(Set(byTask.values.joined().map(\.record.seed))).sorted()
    }

    /// The earlier records of `task` (with their lines' text, written again as they are when
    /// canonical: `{` to `}`) when it can be skipped, else nil.
    func reusableRecords(for task: FileTask, outputRoot: String) -> [ManifestLine]? {
        guard let entries = byTask[TaskKey(input: Array(task.input.relativePath.utf8), copy: task.copy)],
              !entries.isEmpty else { return nil }
        let records = entries.map(\.record)
        let isNPY = task.input.kind != .npz
        if isNPY && (records.count != 1 || records[0].member != nil) { return nil }
        guard let input = InputState.current(task.input.absolutePath),
              records.allSatisfy({ $0.inputSize == input.size && $0.inputMtimeNs == input.modificationTimeNanoseconds })
        else { return nil }
        var needsMask = false
        for record in records {
            guard record.status != .error,
                  let output = record.output, RelativePath.sameBytes(output, task.outputPath),
                  isNPY || record.member != nil,
                  ResumeSettings.compare(record, with: task) == .same
            else { return nil }
            if task.input.kind == .other {
                guard record.status == .copied else { return nil }
                continue
            }
            switch (record.status, task.action(forMember: record.member)) {
            case (.copied, .copy):
                continue
            case (.copied, .process):
                // Copied for its dtype, still not selected (`ResumeSettings.compare`).
                continue
            case (.ok, .process):
                switch (record.mask, task.maskPath) {
                case (nil, nil):
                    break
                case (let recorded?, let planned?) where RelativePath.sameBytes(recorded, planned):
                    needsMask = true
                default:
                    return nil
                }
            default:
                return nil
            }
        }
        guard case .regular(let outputSize)? = try? RunnerFS.entryKind(RelativePath.join(outputRoot, task.outputPath), followLinks: false),
              records.allSatisfy({ $0.outputSize == outputSize })
        else { return nil }
        if needsMask, let mask = task.maskPath {
            guard case .regular(let maskSize)? = try? RunnerFS.entryKind(RelativePath.join(outputRoot, mask), followLinks: false),
                  records.allSatisfy({ $0.mask == nil || $0.maskSize == maskSize })
            else { return nil }
        }
        return entries.map { entry in
            let canonical = entry.line.utf8.first == UInt8(ascii: "{") && entry.line.utf8.last == UInt8(ascii: "}")
            return ManifestLine(record: entry.record, text: canonical ? Array(entry.line.utf8)[...] : nil)
        }
    }
}
