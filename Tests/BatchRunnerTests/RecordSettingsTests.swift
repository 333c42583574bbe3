import DropoutEngine
import NPZContainer
import Testing

@testable import BatchRunner

/// `RecordSettings`: the typed view of a record's settings that `--resume` and `verify` compare.
@Suite struct RecordSettingsTests {
    private static func task(
        _ kind: InputFile.Kind, settings: DropoutSettings, masks: Bool = true,
        compression: NPZCompression = .input, level: Int? = nil
    ) -> FileTask {
        let name = kind == .npz ? "a/x.npz" : "a/x.npy"
        var task = FileTask(
            input: InputFile(relativePath: name, absolutePath: "/nonexistent/" + name, kind: kind, byteCount: 1),
            seed: 7, settings: ArraySettingsResolver(defaults: settings), compression: compression,
            compressionLevel: level, deflateEngine: level == nil ? .isal : .zlib,
            outputPath: "data/" + name, maskPath: masks ? "masks/" + name : nil)
        task.maskFormat = .packbits
        return task
    }

    /// What a record says, read back as values, is what the run would record: the view of
    /// `RecordBuilder`'s record equals the view built from the task, for every kind of task.
    @Test func recordedSettingsReadBackAsTheTaskHasThem() throws {
        let fill = try #require(FillValue(parsing: "1e3"))
        let settings = DropoutSettings(
            variant: .spatial1d, rate: 0.3, noiseShape: try NoiseSpec(parsing: "None,1,None", origin: "t"),
            dataFormat: .channelsFirst, scale: false, fill: fill)
        let tasks = [
            Self.task(.npy, settings: settings),
            Self.task(.npy, settings: settings, masks: false),
            Self.task(.npz, settings: settings, compression: .deflate, level: 6),
            Self.task(.npz, settings: settings, compression: .store),
            Self.task(.npz, settings: DropoutSettings(rate: 0.5)),
        ]
        for task in tasks {
            let member: String? = task.input.kind == .npz ? "m.npy" : nil
            for action in [task.action(forMember: member), ArrayAction.copy] {
                let record = RecordBuilder.base(task, member: member, status: .ok, action: action)
                #expect(
                    try record.settings() == RecordSettings(task: task, member: member, action: action),
                    "\(task.input.kind) \(action)")
            }
        }
        let record = RecordBuilder.base(tasks[0], member: nil, status: .ok, action: tasks[0].action(forMember: nil))
        #expect(record.fill == "1e3")
        #expect(
            try record.settings().dropout
                == DropoutSettings(
                    variant: .spatial1d, rate: 0.3, noiseShape: settings.noiseShape,
                    dataFormat: .channelsFirst, scale: false, fill: .signed(1000), dtypes: .all))
    }

    /// The first differing field is named with both values; equal numbers written differently are equal.
    @Test func firstDifferenceNamesTheFieldAndBothValues() throws {
        let task = Self.task(.npy, settings: DropoutSettings(rate: 0.5, fill: FillValue(parsing: "1000")))
        var record = RecordBuilder.base(task, member: nil, status: .ok, action: task.action(forMember: nil))
        let now = RecordSettings(task: task, member: nil, action: task.action(forMember: nil))
        record.fill = "1e3"
        #expect(try record.settings().firstDifference(from: now) == nil)
        record.rate = 0.25
        record.seed = 8
        #expect(try record.settings().firstDifference(from: now)?.description == "seed 8 there, 7 now")
        record.seed = 7
        #expect(try record.settings().firstDifference(from: now)?.description == "rate 0.25 there, 0.5 now")
    }

    /// A field that holds no value of its setting is named, with what was expected (one message each).
    @Test func unreadableFieldsAreNamed() {
        let task = Self.task(.npz, settings: DropoutSettings(rate: 0.5))
        let good = RecordBuilder.base(task, member: "m.npy", status: .ok, action: task.action(forMember: "m.npy"))
        let cases: [(String, (inout ManifestRecord) -> Void)] = [
            ("variant: expected dropout|spatial1d|spatial2d|spatial3d|alpha, found 'drop'", { $0.variant = "drop" }),
            ("rate: rate must be in [0, 1], found 1.5", { $0.rate = 1.5 }),
            ("fill: \(FillValue.parsingProblem("one"))", { $0.fill = "one" }),
            ("data_format: expected channels_last|channels_first, found 'NHWC'", { $0.dataFormat = "NHWC" }),
            ("deflate_engine: expected isal|zlib, found 'zstd'", { $0.deflateEngine = "zstd" }),
            ("mask_format: expected bool|packbits, found 'bits'", { $0.maskFormat = "bits" }),
        ]
        for (message, mutate) in cases {
            var record = good
            mutate(&record)
            #expect(throws: RecordSettingsError.self) { try record.settings() }
            do {
                _ = try record.settings()
            } catch {
                #expect(error.description == message)
            }
        }
    }
}
