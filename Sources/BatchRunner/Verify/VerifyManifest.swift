import NPDropPlatform

/// OUT's manifest as `verify` reads it: the latest record of each array of `manifest.jsonl`, or
/// of the union of the shard manifests (a later shard's record wins), in manifest order
/// (`ManifestRecord.precedes`), as a stream.
///
/// `open` scans every file once (invalid lines, order, the number of file tasks for the
/// progress line). A finished run's manifests are sorted, each array once: `records()` then
/// reads them as it goes (the shard manifests merged), and memory does not grow with the number
/// of records. A manifest that is not sorted (a killed run's log, an edited file) is read whole
/// and its latest records held sorted, as before streaming.
final class VerifyManifest {
    /// `manifest.jsonl` or `shard manifests`, for messages.
    let source: String
    /// Lines that are not valid records, over every file.
    let invalidLines: Int
    /// File tasks (input × copy) and their recorded input bytes, for the progress line.
    let taskCount: Int
    let inputBytes: Int64
    private let paths: [String]
    /// The latest records sorted, when a file is not sorted (nil: stream the files).
    private let held: [ManifestRecord]?

    private init(
        source: String, invalidLines: Int, taskCount: Int, inputBytes: Int64, paths: [String],
        held: [ManifestRecord]?
    ) {
        self.source = source
        self.invalidLines = invalidLines
        self.taskCount = taskCount
        self.inputBytes = inputBytes
        self.paths = paths
        self.held = held
    }

    /// The manifest of `output`; throws `.usage` (naming `shownOutput`) when there is none,
    /// `RunnerError.io` when it cannot be read.
    static func open(output: String, shownOutput: String) throws -> VerifyManifest {
        var paths = [RelativePath.join(output, ManifestFiles.mainName)]
        var source = ManifestFiles.mainName
        var scans = [try scan(paths[0])].compactMap { $0 }
        if scans.isEmpty {
            paths = try ManifestFiles.shardManifests(in: output).map(\.path)
            guard !paths.isEmpty else {
                throw RunnerError.usage(
                    "OUT '\(shownOutput)' has no manifest.jsonl or manifest-shard-<I>-of-<N>.jsonl")
            }
            source = "shard manifests"
            scans = []
            var kept: [String] = []
            for path in paths {
                guard let scanned = try scan(path) else { continue }
                scans.append(scanned)
                kept.append(path)
            }
            paths = kept
        }
        let invalid = scans.reduce(0) { $0 + $1.invalidLines }
        guard scans.allSatisfy(\.sorted) else {
            var union: [ManifestRecord] = []
            for path in paths {
                guard let contents = try ManifestFiles.read(path: path) else { continue }
                union += contents.records
            }
            let contents = ManifestContents(records: union, lines: [], invalidLines: 0)
            let held = ManifestFiles.sorted(contents.latestRecords)
            var tasks = Set<RecordKey>()
            var bytes: Int64 = 0
            for record in held where tasks.insert(RecordKey(record.input, copy: record.copy)).inserted {
                bytes += record.inputSize ?? 0
            }
            return VerifyManifest(
                source: source, invalidLines: invalid, taskCount: tasks.count, inputBytes: bytes, paths: paths,
                held: held)
        }
        return VerifyManifest(
            source: source, invalidLines: invalid, taskCount: scans.reduce(0) { $0 + $1.tasks },
            inputBytes: scans.reduce(0) { $0 + $1.inputBytes }, paths: paths, held: nil)
    }

    /// The latest records in manifest order, from the start. Throws `RunnerError.io`.
    func records() throws -> Records {
        if let held { return Records(held: held) }
        var readers: [ManifestLineReader] = []
        for path in paths {
            guard let reader = try ManifestLineReader(path: path, maxLineBytes: ManifestFiles.maxLineBytes) else {
                throw RunnerError.io(path: path, operation: "open", errno: ENOENT)
            }
            readers.append(reader)
        }
        return Records(readers: readers)
    }

    /// The records of `VerifyManifest`, in manifest order.
    struct Records {
        private var held: [ManifestRecord]?
        private var heldIndex = 0
        private var readers: [ManifestLineReader] = []
        /// The next record of each reader (nil: that reader is done).
        private var heads: [ManifestRecord?] = []
        private var started = false

        fileprivate init(held: [ManifestRecord]) {
            self.held = held
        }

        fileprivate init(readers: [ManifestLineReader]) {
            self.readers = readers
        }

        /// The next record; nil at the end. Throws `RunnerError.io`.
        mutating func next() throws -> ManifestRecord? {
            if let held {
                guard heldIndex < held.count else { return nil }
                defer { heldIndex += 1 }
                return held[heldIndex]
            }
            if !started {
                started = true
                heads = []
                for reader in readers { heads.append(try Self.read(reader)) }
            }
            // The smallest head; of equal keys (the same array in two shards), the later shard's.
            var best: Int?
            for (index, head) in heads.enumerated() {
                guard let head else { continue }
                if let chosen = best, let current = heads[chosen], ManifestRecord.precedes(current, head) { continue }
                best = index
            }
            guard let best, let record = heads[best] else { return nil }
            for index in heads.indices {
                guard let head = heads[index], index == best || head.key == record.key else { continue }
                heads[index] = try Self.read(readers[index])
            }
            return record
        }

        private static func read(_ reader: ManifestLineReader) throws -> ManifestRecord? {
            while let parsed = try reader.nextLine({ ManifestFiles.parse(line: $0) }) {
                if case .record(let record) = parsed { return record }
            }
            return nil
        }
    }

    private struct Scan {
        var invalidLines = 0
        var sorted = true
        var tasks = 0
        var inputBytes: Int64 = 0
    }

    /// One pass over `path` (nil when there is no such file): its invalid lines, whether its
    /// records are in strict manifest order, its file tasks and their input bytes.
    private static func scan(_ path: String) throws -> Scan? {
        guard let reader = try ManifestLineReader(path: path, maxLineBytes: ManifestFiles.maxLineBytes) else {
            return nil
        }
        var scan = Scan()
        var previous: ManifestRecord?
        var copiesOfInput = Set<Int>()
        while let parsed = try reader.nextLine({ line -> ManifestFiles.ParsedLine in
            if let record = ManifestRecord.decodeCanonicalLineDecisions(line) { return .record(record) }
            return ManifestFiles.parse(line: line)
        }) {
            switch parsed {
            case .blank: continue
            case .invalid: scan.invalidLines += 1
            case .record(let record):
                if let previous {
                    if !ManifestRecord.precedes(previous, record) { scan.sorted = false }
                    if !RelativePath.sameBytes(previous.input, record.input) { copiesOfInput.removeAll() }
                }
                if copiesOfInput.insert(record.copy).inserted {
                    scan.tasks += 1
                    scan.inputBytes += record.inputSize ?? 0
                }
                previous = record
            }
        }
        scan.invalidLines += reader.overlongLines
        return scan
    }
}

extension RecordKey {
    /// The key of a file task (input × copy): no member.
    fileprivate init(_ input: String, copy: Int) {
        self.init(input: Array(input.utf8), member: nil, copy: copy)
    }
}

/// The records of `VerifyManifest.Records` grouped by file task (input × copy): the records of
/// an input come together in manifest order; its tasks are given in order of first appearance.
struct VerifyGroups {
    private var records: VerifyManifest.Records
    private var lookahead: ManifestRecord?
    private var pending: [[ManifestRecord]] = []
    /// Records read so far.
    private(set) var recordCount = 0

    init(_ records: VerifyManifest.Records) {
        self.records = records
    }

    /// The next group; nil at the end. Throws `RunnerError.io`.
    mutating func next() throws -> [ManifestRecord]? {
        if !pending.isEmpty { return pending.removeFirst() }
        guard let first = try lookahead ?? records.next() else { return nil }
        lookahead = nil
        recordCount += 1
        var groups: [[ManifestRecord]] = [[first]]
        while let record = try records.next() {
            guard RelativePath.sameBytes(record.input, first.input) else {
                lookahead = record
                break
            }
            recordCount += 1
            if let index = groups.firstIndex(where: { $0[0].copy == record.copy }) {
                groups[index].append(record)
            } else {
                groups.append([record])
            }
        }
        pending = Array(groups.dropFirst())
        return groups[0]
    }

    /// Up to `limit` groups; empty at the end. Throws `RunnerError.io`.
    mutating func next(upTo limit: Int) throws -> [[ManifestRecord]] {
        var batch: [[ManifestRecord]] = []
        while batch.count < limit, let group = try next() { batch.append(group) }
        return batch
    }
}
