import DropoutEngine
import NPZContainer

/// The settings a manifest record keeps, as typed values: what decided the bytes of its
/// outputs. `ManifestRecord.settings()` parses the record's text fields once; `--resume` and
/// `verify` compare and use these values, never the strings.
///
/// Absent fields of older manifests take the value those npdrop versions used: `rng` npdrop
/// for a processed array, `deflate_engine` zlib for an `.npz`, `mask_format` bool for a record
/// with a mask.
public struct RecordSettings: Sendable, Hashable {
    /// The run seed.
    public var seed: UInt64
    /// The variant; nil for a copied array (and the error record of one).
    public var variant: Variant?
    /// The drop probability; nil with `variant`.
    public var rate: Double?
    /// The noise shape as configured; nil for the variant's preset.
    public var noiseShape: NoiseSpec?
    /// Where the channel axis is; nil with `variant`.
    public var dataFormat: DataFormat?
    /// False with `--no-scale`; nil with `variant`.
    public var scale: Bool?
    /// `--fill`; nil for none.
    public var fill: FillValue?
    /// The random stream of a processed array; nil with `variant`.
    public var rng: RandomStreamKind?
    /// Keras streams: the layer call index.
    public var kerasCall: Int?
    /// Keras streams: the layer was reproduced.
    public var kerasLayer: Bool?
    /// How the mask is written; nil without a mask format (`--no-masks`, copied arrays).
    public var maskFormat: MaskFormat?
    /// The npz compression option; nil for an `.npy`.
    public var compression: NPZCompression?
    /// The level of deflated npz members (ISA-L's 1, a zlib level, nil for zlib's default).
    public var compressionLevel: Int?
    /// Input bytes per deflated block; nil for one stream per member and for `.npy`.
    public var deflateBlockSize: Int?
    /// The deflating library for an `.npz` (nil with `--store` and for `.npy`).
    public var deflateEngine: DeflateEngine?

    /// One setting that differs between two views: its manifest field name and both values as text.
    public struct Difference: Sendable, Hashable, CustomStringConvertible {
        /// The manifest field (`seed`, `rate`, `variant`, ...).
        public var name: String
        /// The value of the earlier (recorded) side.
        public var earlier: String
        /// The value of the other side.
        public var now: String

        /// A difference; see the properties.
        public init(name: String, earlier: String, now: String) {
            self.name = name
            self.earlier = earlier
            self.now = now
        }

        /// `rate 0.5 there, 0.25 now`.
        public var description: String { "\(name) \(earlier) there, \(now) now" }
    }

    /// The first field, in manifest order, in which `other` differs from these (earlier)
    /// settings; nil when they are equal. Fill values compare as numbers (`1e3` is `1000`).
    public func firstDifference(from other: RecordSettings) -> Difference? {
        var found: Difference?
        func check<T: Equatable>(_ name: String, _ a: T?, _ b: T?, none: String = "null") {
            guard found == nil, a != b else { return }
            found = Difference(name: name, earlier: a.map { "\($0)" } ?? none, now: b.map { "\($0)" } ?? none)
        }
        check("seed", seed, other.seed)
        check("variant", variant?.rawValue, other.variant?.rawValue, none: "none (copied)")
        check("rate", rate, other.rate, none: "none (copied)")
        check("noise_shape", noiseShape?.description, other.noiseShape?.description, none: "preset")
        check("data_format", dataFormat?.rawValue, other.dataFormat?.rawValue)
        check("scale", scale, other.scale)
        check("fill", fill, other.fill, none: "none")
        check("rng", rng?.rawValue, other.rng?.rawValue)
        check("keras_call", kerasCall, other.kerasCall)
        check("keras_layer", kerasLayer, other.kerasLayer)
        check("mask_format", maskFormat?.rawValue, other.maskFormat?.rawValue, none: "none (no masks)")
        check("compression", compression?.rawValue, other.compression?.rawValue)
        check("compression_level", compressionLevel, other.compressionLevel, none: "default")
        check("deflate_block_size", deflateBlockSize, other.deflateBlockSize, none: "single-stream")
        check("deflate_engine", deflateEngine?.rawValue, other.deflateEngine?.rawValue)
        return found
    }

    /// The dropout settings of a processed array (every dtype selected: the record says it was
    /// transformed); nil for a copied one.
    public var dropout: DropoutSettings? {
        guard let variant, let rate else { return nil }
        return DropoutSettings(
            variant: variant, rate: rate, noiseShape: noiseShape,
            dataFormat: dataFormat ?? .channelsLast, scale: scale ?? true, fill: fill, dtypes: .all)
    }
}

/// A record field whose text is not a value of its setting.
public struct RecordSettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The manifest field.
    public var field: String
    /// What was wrong.
    public var problem: String

    /// `rate: must be in [0, 1], found 1.5`.
    public var description: String { "\(field): \(problem)" }
}

extension ManifestRecord {
    /// The record's settings as typed values, parsed once. Throws `RecordSettingsError` naming
    /// the first field that holds no value of its setting.
    public func settings() throws(RecordSettingsError) -> RecordSettings {
        func parse<T>(
            _ field: String, _ text: String?, _ make: (String) -> T?, expected: String
        ) throws(RecordSettingsError) -> T? {
            guard let text else { return nil }
            guard let value = make(text) else {
                throw RecordSettingsError(field: field, problem: "expected \(expected), found '\(text)'")
            }
            return value
        }
        let variant = try parse(
            "variant", self.variant, Variant.init(rawValue:),
            expected: Variant.allCases.map(\.rawValue).joined(separator: "|"))
        if let rate, !DropoutRate.isValid(rate) {
            throw RecordSettingsError(field: "rate", problem: DropoutRate.message(rate))
        }
        let noiseShape = try parse(
            "noise_shape_spec", noiseShapeSpec,
            { text in
                (try? NoiseSpec(parsing: text)).flatMap { $0.entries.allSatisfy { ($0 ?? 1) >= 1 } ? $0 : nil }
            }, expected: "entries None or a positive integer separated by commas")
        let dataFormat = try parse(
            "data_format", self.dataFormat, DataFormat.init(rawValue:),
            expected: "channels_last|channels_first")
        var fill: FillValue?
        if let text = self.fill {
            guard let value = FillValue(parsing: text) else {
                throw RecordSettingsError(field: "fill", problem: FillValue.parsingProblem(text))
            }
            fill = value
        }
        let processed = variant != nil
        let rng =
            try parse("rng", self.rng, RandomStreamKind.init(rawValue:), expected: "npdrop|keras-numpy|keras-jax")
            ?? (processed ? .npdrop : nil)
        let maskFormat =
            try parse("mask_format", self.maskFormat, MaskFormat.init(rawValue:), expected: "bool|packbits")
            ?? (mask != nil ? .bool : nil)
        let compression = try parse(
            "compression", self.compression, NPZCompression.init(rawValue:),
            expected: "input|deflate|store")
        let isNPZ = member != nil || compression != nil
        let deflateEngine =
            try parse("deflate_engine", self.deflateEngine, DeflateEngine.init(rawValue:), expected: "isal|zlib")
            ?? (isNPZ && compression != .store ? .zlib : nil)
        return RecordSettings(
            seed: seed, variant: variant, rate: processed ? rate : nil, noiseShape: noiseShape,
            dataFormat: dataFormat, scale: scale, fill: fill, rng: rng, kerasCall: kerasCall, kerasLayer: kerasLayer,
            maskFormat: maskFormat, compression: compression, compressionLevel: compressionLevel,
            deflateBlockSize: deflateBlockSize, deflateEngine: deflateEngine)
    }
}
