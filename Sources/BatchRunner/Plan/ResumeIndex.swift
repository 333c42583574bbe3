import DropoutEngine
import NPDropPlatform
import NPYFormat

/// The records of an earlier (possibly killed) run, by file task, for `--resume`.
///
/// A file task (input file × copy) is skipped when the earlier manifest holds records for it,
/// none of them an error, each with this run's settings (`ResumeSettings.compare`: the typed
/// values of `RecordSettings`) and output and mask paths, its input still has
/// the size and modification time the records keep, and its output (and mask, when recorded)
/// files exist with the sizes the records keep (`isReusable`). Anything else is stale and redone (a record
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
    private let outputDirectory: HeldDirectoryLookup
    private let maskDirectory: HeldDirectoryLookup

    /// An index reading `manifest` from its start: for `.decisions` (`entries(for:)`,
    /// `recordedCopies`, `isReusable` of outputs under `outputRoot`) or for `.carriedLines`
    /// (`carriedLines`). Throws `RunnerError.io`.
    init(manifest: EarlierManifest, reading: EarlierManifest.Reading, outputRoot: String = "") throws {
        cursor = try manifest.cursor(reading: reading)
        outputDirectory = HeldDirectoryLookup(root: outputRoot)
        maskDirectory = HeldDirectoryLookup(root: outputRoot)
    }

    /// The earlier records of (`input`, `copy`): the latest record of each of its arrays.
    private mutating func entries(input: String, copy: Int) throws -> [EarlierManifest.Entry] {
        if group.entries.isEmpty || !RelativePath.sameBytes(group.input, input) {
            group = (input, try cursor.entries(forInput: input))
        }
        if group.entries.allSatisfy({ $0.record.copy == copy }) { return group.entries }
        return group.entries.filter { $0.record.copy == copy }
    }

    /// The size of the earlier manifest as read, when it is streamed (nil: its records are held).
    var manifestBytes: Int? { cursor.fileBytes }

    /// Reads the rest of the earlier manifest; returns the invalid lines of the whole file
    /// (when the cursor streams it). Throws `RunnerError.io` or `EarlierManifest.OutOfOrder`.
    mutating func invalidLinesOfTheRest() throws -> Int {
        try cursor.drain()
        return cursor.invalidLines
    }

    /// The earlier entries of `task`'s input and copy (the latest of each array), in manifest
    /// order. Throws `RunnerError.io`.
    mutating func entries(for task: FileTask) throws -> [EarlierManifest.Entry] {
        try entries(input: task.input.relativePath, copy: task.copy)
    }

    /// One more than the highest copy index the earlier manifest holds for `input` (0 for none).
    /// Throws `RunnerError.io`.
    mutating func recordedCopies(input: String) throws -> Int {
        _ = try entries(input: input, copy: 0)
        return (group.entries.map(\.record.copy).max() ?? -1) + 1
    }

    /// The earlier lines of the task (`input`, `copy`), written again as they are when canonical
    /// (`{` to `}`): what the manifest writer writes for a task carried over. Throws `RunnerError.io`.
    mutating func carriedLines(input: String, copy: Int) throws -> [ManifestLine] {
        ResumeIndex.lines(of: try entries(input: input, copy: copy))
    }

    private static func lines(of entries: [EarlierManifest.Entry]) -> [ManifestLine] {
        entries.map { entry in
            let canonical = entry.line.first == UInt8(ascii: "{") && entry.line.last == UInt8(ascii: "}")
            return ManifestLine(record: entry.record, text: canonical ? entry.line[...] : nil)
        }
    }

    /// The input's size and modification time (ns): what the walk's `stat` of it found, or a
    /// `stat` now when the walk did not look (INPUT given as a file); nil when it is not a
    /// regular file any more.
    private func inputState(_ input: InputFile) -> (size: Int64, modified: Int64)? {
        if let modified = input.modificationTimeNanoseconds { return (input.byteCount, modified) }
        guard let info = inputDirectory.status(of: input.absolutePath), info.st_mode & S_IFMT == S_IFREG else {
            return nil
        }
        return (Int64(info.st_size), InputState.nanoseconds(info))
    }

    /// True when `task` can be skipped with its earlier `entries` (`entries(for:)`), whose
    /// settings the caller found `.same` (`ResumeSettings.compare`): none an error, the
    /// planned output and mask paths, the input with the recorded size and modification time,
    /// the output (and mask) files (under the index's `outputRoot`) with the recorded sizes.
    func isReusable(_ entries: [EarlierManifest.Entry], for task: FileTask) -> Bool {
        guard !entries.isEmpty else { return false }
        let records = entries.map(\.record)
        let isNPY = task.input.kind != .npz
        if isNPY && (records.count != 1 || records[0].member != nil) { return false }
        guard let (size, modified) = inputState(task.input),
            records.allSatisfy({ $0.inputSize == size && $0.inputMtimeNs == modified })
        else { return false }
        var needsMask = false
        for record in records {
            guard record.status != .error,
                let output = record.output, RelativePath.sameBytes(output, task.outputPath),
                isNPY || record.member != nil
            else { return false }
            if task.input.kind == .other {
                guard record.status == .copied else { return false }
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
                    return false
                }
            default:
                return false
            }
        }
        guard let outputSize = outputDirectory.regularFileSize(task.outputPath),
            records.allSatisfy({ $0.outputSize == outputSize })
        else { return false }
        if needsMask, let mask = task.maskPath {
            guard let maskSize = maskDirectory.regularFileSize(mask),
                records.allSatisfy({ $0.mask == nil || $0.maskSize == maskSize })
            else { return false }
        }
        return true
    }
}
