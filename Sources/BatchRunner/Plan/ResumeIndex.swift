import DropoutEngine
import NPDropPlatform
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
///
/// The earlier manifest is read as a stream (`EarlierManifest.Cursor`) merged with the plan:
/// tasks must be asked for in slot order (input relpath, then copy).
struct ResumeIndex {
    private var cursor: EarlierManifest.Cursor
    /// The earlier records of the input asked for last.
    private var group: (input: String, entries: [EarlierManifest.Entry]) = ("", [])
    /// The directories of the inputs, outputs and masks checked last (held open).
    private let inputDirectory = HeldDirectoryLookup()
    private let outputDirectory = HeldDirectoryLookup()
    private let maskDirectory = HeldDirectoryLookup()

    /// An index reading `manifest` from its start: for `.decisions` (`records(for:)`,
    /// `recordedCopies`, whether `reusableRecords` is nil) or for `.carriedLines`
    /// (`carriedLines`). Throws `RunnerError.io`.
    init(manifest: EarlierManifest, reading: EarlierManifest.Reading) throws {
        cursor = try manifest.cursor(reading: reading)
    }

    /// The earlier records of (`input`, `copy`): the latest record of each of its arrays.
    private mutating func entries(input: String, copy: Int) throws -> [EarlierManifest.Entry] {
        if group.entries.isEmpty || !RelativePath.sameBytes(group.input, input) {
            group = (input, try cursor.entries(forInput: input))
        }
        return group.entries.filter { $0.record.copy == copy }
    }

    /// Reads the rest of the earlier manifest; returns the invalid lines of the whole file
    /// (when the cursor streams it). Throws `RunnerError.io` or `EarlierManifest.OutOfOrder`.
    mutating func invalidLinesOfTheRest() throws -> Int {
        try cursor.drain()
        return cursor.invalidLines
    }

    /// The earlier records of `task`'s input and copy (the latest of each array). Throws `RunnerError.io`.
    mutating func records(for task: FileTask) throws -> [ManifestRecord] {
        try entries(input: task.input.relativePath, copy: task.copy).map(\.record)
    }

    /// One more than the highest copy index the earlier manifest holds for `input` (0 for none).
    /// Throws `RunnerError.io`.
    mutating func recordedCopies(input: String) throws -> Int {
        _ = try entries(input: input, copy: 0)
        return (group.entries.map(\.record.copy).max() ?? -1) + 1
    }

    /// The earlier lines of the task (`input`, `copy`) as `reusableRecords` returns them: what
    /// the manifest writer writes again for a task carried over. Throws `RunnerError.io`.
    mutating func carriedLines(input: String, copy: Int) throws -> [ManifestLine] {
        ResumeIndex.lines(of: try entries(input: input, copy: copy))
    }

    private static func lines(of entries: [EarlierManifest.Entry]) -> [ManifestLine] {
        entries.map { entry in
            let canonical = entry.line.first == UInt8(ascii: "{") && entry.line.last == UInt8(ascii: "}")
            return ManifestLine(record: entry.record, text: canonical ? entry.line[...] : nil)
        }
    }

    /// The earlier records of `task` (with their lines' text, written again as they are when
    /// canonical: `{` to `}`) when it can be skipped, else nil. `settingsCompared`: the caller
    /// found `ResumeSettings.compare` `.same` for every record of `records(for: task)`, so it is
    /// not compared again.
    mutating func reusableRecords(
        for task: FileTask, outputRoot: String, settingsCompared: Bool = false
    ) throws -> [ManifestLine]? {
        let entries = try entries(input: task.input.relativePath, copy: task.copy)
        guard !entries.isEmpty else { return nil }
        let records = entries.map(\.record)
        let isNPY = task.input.kind != .npz
        if isNPY && (records.count != 1 || records[0].member != nil) { return nil }
        guard let input = inputDirectory.status(of: task.input.absolutePath), input.st_mode & S_IFMT == S_IFREG,
            case let (size, modified) = (Int64(input.st_size), InputState.nanoseconds(input)),
            records.allSatisfy({ $0.inputSize == size && $0.inputMtimeNs == modified })
        else { return nil }
        var needsMask = false
        for record in records {
            guard record.status != .error,
                let output = record.output, RelativePath.sameBytes(output, task.outputPath),
                isNPY || record.member != nil,
                settingsCompared || ResumeSettings.compare(record, with: task) == .same
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
        guard let outputSize = outputDirectory.regularFileSize(RelativePath.join(outputRoot, task.outputPath)),
            records.allSatisfy({ $0.outputSize == outputSize })
        else { return nil }
        if needsMask, let mask = task.maskPath {
            guard let maskSize = maskDirectory.regularFileSize(RelativePath.join(outputRoot, mask)),
                records.allSatisfy({ $0.mask == nil || $0.maskSize == maskSize })
            else { return nil }
        }
        return ResumeIndex.lines(of: entries)
    }
}
