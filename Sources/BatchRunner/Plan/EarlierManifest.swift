import NPDropPlatform

/// The manifest of an earlier run, read for `--resume` as a stream of its records by input,
/// in manifest order, merged with this run's sorted plan: memory does not grow with the
/// number of records.
///
/// `open(path:scanning: true)` reads the file once (counting invalid lines, collecting the
/// seeds and checking the order); without the scan (the seed is known) the order is checked by
/// the cursors as they go (`OutOfOrder`: open it again with the scan). A finished run's manifest
/// is sorted (`ManifestRecord.precedes`, each array once): every `Cursor` then reads the file
/// as it goes. A killed run's log is in completion order and may hold an array twice (the later
/// line wins): its latest records are then held, sorted, in memory. Only the bytes the file
/// held when opened are read (the run appends to it).
final class EarlierManifest: Sendable {
    /// One earlier record with its line's bytes.
    struct Entry: Sendable {
        let record: ManifestRecord
        /// Empty when read by a cursor for `.decisions`.
        let line: [UInt8]
        /// The length of the line in the file (without newline); nil when the record is held.
        var lineBytes: Int? = nil
        /// The line is in canonical form (a streamed `.decisions` record); false when not known.
        var canonical = false
    }

    /// What a cursor reads of each streamed record.
    enum Reading: Sendable {
        /// The record without its line's bytes, and of a canonical line only what deciding
        /// needs (`ManifestRecord.decodeCanonicalLineDecisions`): deciding what can be skipped.
        case decisions
        /// The line's bytes, and of a canonical line only the record's identity, seed and
        /// status (`ManifestFiles.parseKeys`): writing the carried lines again.
        case carriedLines
    }

    /// A cursor of a manifest opened without the scan found a record out of manifest order.
    struct OutOfOrder: Error {}

    let path: String
    /// Lines that were not a valid record (a killed run's cut-off last line, overlong lines);
    /// nil when not scanned (a cursor read to the end counts them).
    let invalidLines: Int?
    /// The distinct seeds of the records, sorted; nil when not scanned.
    let seeds: [UInt64]?
    /// The latest records sorted, when the file is not (nil: stream the file).
    private let heldEntries: [Entry]?
    /// True when the file is in manifest order and cursors read it as they go.
    var streamsRecords: Bool { heldEntries == nil }

    private init(path: String, invalidLines: Int?, seeds: [UInt64]?, heldEntries: [Entry]?) {
        self.path = path
        self.invalidLines = invalidLines
        self.seeds = seeds
        self.heldEntries = heldEntries
    }

    /// The manifest at `path`; nil when there is none. Throws `RunnerError.io`.
    static func open(path: String, scanning: Bool = true) throws -> EarlierManifest? {
        guard let reader = try ManifestLineReader(path: path, maxLineBytes: ManifestFiles.maxLineBytes) else {
            return nil
        }
        if !scanning { return EarlierManifest(path: path, invalidLines: nil, seeds: nil, heldEntries: nil) }
        var invalid = 0
        var seeds = Set<UInt64>()
        var previous: ManifestRecord?
        var sorted = true
        while let parsed = try reader.nextLine({ ManifestFiles.parseKeys(line: $0) }) {
            switch parsed {
            case .blank: continue
            case .invalid: invalid += 1
            case .record(let record):
                seeds.insert(record.seed)
                if let previous, !ManifestRecord.precedes(previous, record) { sorted = false }
                previous = record
            }
        }
        invalid += reader.overlongLines
        var held: [Entry]? = nil
        if !sorted, let contents = try ManifestFiles.read(path: path) {
            held = contents.latestEntries.map { Entry(record: $0.record, line: Array($0.line.utf8)) }
                .sorted { ManifestRecord.precedes($0.record, $1.record) }
        }
        return EarlierManifest(path: path, invalidLines: invalid, seeds: seeds.sorted(), heldEntries: held)
    }

    /// A reader of the records in manifest order, from the start (held records are whole, with
    /// their lines, whatever `reading` says). Throws `RunnerError.io`.
    func cursor(reading: Reading) throws -> Cursor {
        if let heldEntries {
            return Cursor(source: .held(heldEntries, next: 0), checksOrder: false, reading: reading)
        }
        guard let reader = try ManifestLineReader(path: path, maxLineBytes: ManifestFiles.maxLineBytes) else {
            throw RunnerError.io(path: path, operation: "open", errno: ENOENT)
        }
        return Cursor(source: .stream(reader, lookahead: nil), checksOrder: invalidLines == nil, reading: reading)
    }

    /// The records of the inputs asked for, in increasing relpath order.
    struct Cursor {
        fileprivate enum Source {
            case stream(ManifestLineReader, lookahead: Entry?)
            case held([Entry], next: Int)
        }

        fileprivate var source: Source
        /// The bytes of the file read (its size when opened); nil when the records are held.
        let fileBytes: Int?
        /// Throw `OutOfOrder` when a record does not follow the one before.
        fileprivate let checksOrder: Bool
        fileprivate let reading: Reading
        private var previous: ManifestRecord?
        /// Invalid lines read so far (streaming).
        private(set) var invalidLines = 0

        fileprivate init(source: Source, checksOrder: Bool, reading: Reading) {
            self.source = source
            if case .stream(let reader, _) = source { fileBytes = reader.fileBytes } else { fileBytes = nil }
            self.checksOrder = checksOrder
            self.reading = reading
        }

        /// Reads the rest of the file (to count its invalid lines, and check its order).
        mutating func drain() throws {
            while try peek() != nil { advance() }
        }

        /// The records whose input is `relativePath` (in manifest order), skipping those of
        /// inputs before it. `relativePath`s must come in increasing byte order. Throws
        /// `RunnerError.io`.
        mutating func entries(forInput relativePath: String) throws -> [Entry] {
            var found: [Entry] = []
            while let entry = try peek() {
                if RelativePath.sameBytes(entry.record.input, relativePath) {
                    found.append(entry)
                } else if !RelativePath.precedes(entry.record.input, relativePath) {
                    break
                }
                advance()
            }
            return found
        }

        private mutating func peek() throws -> Entry? {
            switch source {
            case .held(let entries, let next):
                return next < entries.count ? entries[next] : nil
            case .stream(let reader, let lookahead):
                if let lookahead { return lookahead }
                var entry: Entry?
                let reading = reading
                while entry == nil,
                    let parsed = try reader.nextLine({ line -> ManifestFiles.ParsedLine? in
                        switch reading {
                        case .decisions:
                            if let record = ManifestRecord.decodeCanonicalLineDecisions(line) {
                                entry = Entry(record: record, line: [], lineBytes: line.count, canonical: true)
                                return .record(record)
                            }
                            let parsed = ManifestFiles.parse(line: line)
                            if case .record(let record) = parsed {
                                entry = Entry(record: record, line: [], lineBytes: line.count)
                            }
                            return parsed
                        case .carriedLines:
                            let parsed = ManifestFiles.parseKeys(line: line)
                            if case .record(let record) = parsed { entry = Entry(record: record, line: Array(line)) }
                            return parsed
                        }
                    })
                {
                    if case .invalid = parsed { invalidLines += 1 }
                }
                if entry == nil { invalidLines += reader.overlongLines }
                if checksOrder, let record = entry?.record {
                    if let previous, !ManifestRecord.precedes(previous, record) { throw OutOfOrder() }
                    previous = record
                }
                source = .stream(reader, lookahead: entry)
                return entry
            }
        }

        private mutating func advance() {
            switch source {
            case .held(let entries, let next): source = .held(entries, next: next + 1)
            case .stream(let reader, _): source = .stream(reader, lookahead: nil)
            }
        }
    }
}
