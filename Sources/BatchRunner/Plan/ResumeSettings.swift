import DropoutEngine
import NPYFormat
import NPZContainer

extension RecordSettings {
    /// The settings this run records for `member` (nil for an `.npy` or a carried-over file) of
    /// `task` when the array gets `action` (`.copy` for an array copied for its dtype): the
    /// values `RecordBuilder` writes, without going through their text.
    init(task: FileTask, member: String?, action: ArrayAction) {
        let isNPZ = task.input.kind == .npz
        let deflate = task.deflateRecord
        self.init(
            seed: task.seed, compression: isNPZ ? task.compression : nil, compressionLevel: deflate.level,
            deflateBlockSize: isNPZ ? task.deflateBlockSize : nil,
            deflateEngine: deflate.engine.flatMap(DeflateEngine.init(rawValue:)))
        guard case .process(let settings) = action else { return }
        variant = settings.variant
        rate = settings.rate
        noiseShape = settings.noiseShape
        dataFormat = settings.dataFormat
        scale = settings.scale
        fill = settings.fill
        rng = task.rng
        if task.writesMasks { maskFormat = task.maskFormat }
        if task.rng.isKeras {
            kerasCall = Int(task.kerasCall)
            kerasLayer = task.kerasLayer
        }
    }

    /// Settings with the fields every record has; the dropout fields nil.
    init(
        seed: UInt64, compression: NPZCompression?, compressionLevel: Int?, deflateBlockSize: Int?,
        deflateEngine: DeflateEngine?
    ) {
        self.init(
            seed: seed, variant: nil, rate: nil, noiseShape: nil, dataFormat: nil, scale: nil, fill: nil,
            rng: nil, kerasCall: nil, kerasLayer: nil, maskFormat: nil, compression: compression,
            compressionLevel: compressionLevel, deflateBlockSize: deflateBlockSize, deflateEngine: deflateEngine)
    }
}

/// How the settings of an earlier run's record compare with this run's for the same array:
/// `--resume` refuses a run whose settings differ (contract: `--resume` is "same settings,
/// finish what is missing") and skips only arrays whose settings are the same.
///
/// A setting is what decides an output byte: the seed, the dropout settings, the random
/// stream, the mask format (or no masks), the npz encoding, which members and dtypes get
/// dropout, and the output layout of the copies. `--jobs`, `--segment-bytes`, `--sync`, the
/// progress and summary flags are not settings.
enum ResumeSettings {
    /// The outcome of comparing one record.
    enum Comparison: Equatable {
        /// The same settings.
        case same
        /// This setting differs (the record's value, then this run's).
        case differs(RecordSettings.Difference)
        /// The record cannot be reused (its settings cannot be read, its output path does not
        /// fit): it is redone, not a reason to refuse.
        case stale
    }

    /// Compares the earlier `record` of `task`'s input and copy with what `task` would record.
    static func compare(_ record: ManifestRecord, with task: FileTask) -> Comparison {
        var memo = Memo()
        return compare(record, with: task, memo: &memo)
    }

    /// `compare(_:with:)` that reuses the settings and dtype parsed for the record before
    /// (`memo`) when this record's text is the same: the records of a run share them.
    static func compare(_ record: ManifestRecord, with task: FileTask, memo: inout Memo) -> Comparison {
        guard let recorded = memo.settings(of: record) else { return .stale }
        if let output = record.output, !RelativePath.sameBytes(output, task.outputPath) {
            // The output path of a copy depends only on the relpath, the copy and whether copies > 1;
            // any other path is a record that does not fit (edited, damaged): redone.
            let before = output.hasPrefix("copy-"), now = task.outputPath.hasPrefix("copy-")
            guard before != now else { return .stale }
            func copies(_ many: Bool, _ path: String) -> String { many ? "more than 1 (\(path))" : "1 (\(path))" }
            return .differs(.init(name: "copies", earlier: copies(before, output), now: copies(now, task.outputPath)))
        }
        let action = task.action(forMember: record.member)
        var expected = action
        switch (record.status, action) {
        case (.copied, .process(let settings)):
            guard record.reason != nil else {
                return .differs(.init(name: "members", earlier: "\(memberName(record)) copied", now: "processed"))
            }
            if let dtype = memo.dtype(record.dtype), settings.dtypes.selects(dtype) {
                return .differs(
                    .init(
                        name: "dtypes", earlier: "\(memberName(record)) (\(dtype.descr)) copied",
                        now: "processed (\(settings.dtypes))"))
            }
            expected = .copy
        case (.ok, .copy):
            return .differs(.init(name: "members", earlier: "\(memberName(record)) processed", now: "copied"))
        case (.ok, .process(let settings)):
            if let dtype = memo.dtype(record.dtype), !settings.dtypes.selects(dtype) {
                return .differs(
                    .init(
                        name: "dtypes", earlier: "\(memberName(record)) (\(dtype.descr)) processed",
                        now: "copied (\(settings.dtypes))"))
            }
        default:
            break
        }
        let now = RecordSettings(task: task, member: record.member, action: expected)
        guard let difference = recorded.firstDifference(from: now) else { return .same }
        return .differs(difference)
    }

    /// The first differing setting of `records` (the earlier records of one task), if any.
    static func firstDifference(_ records: [ManifestRecord], with task: FileTask) -> RecordSettings.Difference? {
        for record in records {
            if case .differs(let difference) = compare(record, with: task) { return difference }
        }
        return nil
    }

    /// True when every record of the task has this run's settings.
    static func allSame(_ records: [ManifestRecord], as task: FileTask) -> Bool {
        records.allSatisfy { compare($0, with: task) == .same }
    }

    private static func memberName(_ record: ManifestRecord) -> String {
        record.input + (record.member.map { " [\($0)]" } ?? "")
    }

    /// The settings and dtype parsed for the last record compared, by the text they came from.
    struct Memo {
        /// The fields `ManifestRecord.settings()` reads, of the last record parsed.
        private var fields: SettingsFields?
        private var settings: RecordSettings?
        private var descr: String?
        private var dtype: DType?

        init() {}

        /// `record.settings()`, nil when they cannot be read.
        mutating func settings(of record: ManifestRecord) -> RecordSettings? {
            let fields = SettingsFields(record)
            if let known = self.fields, known == fields { return settings }
            self.fields = fields
            settings = try? record.settings()
            return settings
        }

        /// The dtype of `descr`, nil when there is none or it is not a dtype npdrop reads.
        mutating func dtype(_ descr: String?) -> DType? {
            guard let descr else { return nil }
            if let known = self.descr, RelativePath.sameBytes(known, descr) { return dtype }
            self.descr = descr
            dtype = try? DType.parse(descr: descr)
            return dtype
        }
    }

    /// What `ManifestRecord.settings()` reads of a record (equal fields: equal settings).
    private struct SettingsFields: Equatable {
        let seed: UInt64
        let variant: String?
        let rate: Double?
        let noiseShapeSpec: String?
        let dataFormat: String?
        let scale: Bool?
        let fill: String?
        let rng: String?
        let kerasCall: Int?
        let kerasLayer: Bool?
        let maskFormat: String?
        let hasMask: Bool
        let hasMember: Bool
        let compression: String?
        let compressionLevel: Int?
        let deflateBlockSize: Int?
        let deflateEngine: String?

        init(_ record: ManifestRecord) {
            seed = record.seed
            variant = record.variant
            rate = record.rate
            noiseShapeSpec = record.noiseShapeSpec
            dataFormat = record.dataFormat
            scale = record.scale
            fill = record.fill
            rng = record.rng
            kerasCall = record.kerasCall
            kerasLayer = record.kerasLayer
            maskFormat = record.maskFormat
            hasMask = record.mask != nil
            hasMember = record.member != nil
            compression = record.compression
            compressionLevel = record.compressionLevel
            deflateBlockSize = record.deflateBlockSize
            deflateEngine = record.deflateEngine
        }
    }
}
