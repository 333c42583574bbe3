import DropoutEngine

extension Variant {
    /// Parses a variant name; throws `.usage` naming `origin` and the accepted names.
    public init(parsing text: String, origin: String) throws {
        guard let value = Variant(rawValue: text) else {
            let names = Variant.allCases.map(\.rawValue).joined(separator: "|")
            throw RunnerError.usage("\(origin): variant must be \(names), found '\(text)'")
        }
        self = value
    }
}

extension DataFormat {
    /// Parses a data format name; throws `.usage` naming `origin`.
    public init(parsing text: String, origin: String) throws {
        guard let value = DataFormat(rawValue: text) else {
            throw RunnerError.usage("\(origin): data format must be channels_last|channels_first, found '\(text)'")
        }
        self = value
    }
}

extension NoiseSpec {
    /// A spec with these entries; throws `.usage` naming `origin` when an entry is not positive
    /// (the engine checks per array whether the spec fits).
    public init(dims: [Int?], origin: String) throws {
        for case let d? in dims where d < 1 {
            throw RunnerError.usage("\(origin): entries must be None or a positive integer, found \(d)")
        }
        self.init(entries: dims)
    }

    /// Parses `None,1,None` as the engine does (`NoiseSpec(parsing:)`); throws `.usage` naming
    /// `origin` for anything else or an entry below 1.
    public init(parsing text: String, origin: String) throws {
        let parsed: NoiseSpec
        do {
            parsed = try NoiseSpec(parsing: text)
        } catch {
            throw RunnerError.usage(
                "\(origin): expected entries None or a positive integer separated by commas, found '\(text)'")
        }
        try self.init(dims: parsed.entries, origin: origin)
    }
}

/// Everything that decides the result of one array, apart from the seed and its key.
public struct DropoutSettings: Sendable, Hashable {
    /// The dropout variant.
    public var variant: Variant
    /// The drop probability, in [0, 1] (below 1 for `alpha`).
    public var rate: Double
    /// The explicit noise shape, or nil for the variant's preset.
    public var noiseShape: NoiseSpec?
    /// Where the channel axis is, for the spatial presets.
    public var dataFormat: DataFormat
    /// False with `--no-scale`: kept float elements are not scaled by 1/(1-rate).
    public var scale: Bool
    /// What dropped elements become (nil: zero, or alpha's value).
    public var fill: FillValue?
    /// Which element kinds get dropout; arrays of other kinds are copied unchanged.
    public var dtypes: DTypeSelection

    /// Settings with the command-line defaults for everything but `rate`.
    public init(
        variant: Variant = .dropout, rate: Double, noiseShape: NoiseSpec? = nil,
        dataFormat: DataFormat = .channelsLast, scale: Bool = true, fill: FillValue? = nil,
        dtypes: DTypeSelection = .default
    ) {
        self.dtypes = dtypes
        self.variant = variant
        self.rate = rate
        self.noiseShape = noiseShape
        self.dataFormat = dataFormat
        self.scale = scale
        self.fill = fill
    }

    /// Throws `.usage` with `DropoutRate`'s one message (the setting named `name`, after
    /// `origin: ` when given) unless `rate` is a number in [0, 1].
    public static func checkRate(_ rate: Double, name: String = "--rate", origin: String? = nil) throws {
        guard DropoutRate.isValid(rate) else {
            throw RunnerError.usage((origin.map { "\($0): " } ?? "") + DropoutRate.message(rate, name: name))
        }
    }
}

/// A dropout setting that a config rule or the command line can set.
public enum DropoutField: String, Sendable, Hashable, CaseIterable {
    case variant, rate, noiseShape = "noise_shape", dataFormat = "data_format", scale = "no_scale", fill, dtypes
}

/// A partial set of dropout settings: what one layer (config top level, a rule, the command
/// line) says. A nil field says nothing; `noiseShape == .some(nil)` asks for the preset.
public struct DropoutOverrides: Sendable, Hashable {
    /// Replaces the variant.
    public var variant: Variant?
    /// Replaces the rate.
    public var rate: Double?
    /// Replaces the noise shape (`.some(nil)`: back to the preset).
    public var noiseShape: NoiseSpec??
    /// Replaces the data format.
    public var dataFormat: DataFormat?
    /// Replaces scaling (false = `no_scale`).
    public var scale: Bool?
    /// Replaces the fill value (`.some(nil)`: no fill).
    public var fill: FillValue??
    /// Replaces the dtype selection.
    public var dtypes: DTypeSelection?

    /// Overrides that set nothing.
    public init(
        variant: Variant? = nil, rate: Double? = nil, noiseShape: NoiseSpec?? = nil,
        dataFormat: DataFormat? = nil, scale: Bool? = nil, fill: FillValue?? = nil,
        dtypes: DTypeSelection? = nil
    ) {
        self.dtypes = dtypes
        self.variant = variant
        self.rate = rate
        self.noiseShape = noiseShape
        self.dataFormat = dataFormat
        self.scale = scale
        self.fill = fill
    }

    /// The fields this layer sets.
    public var fields: Set<DropoutField> {
        var result: Set<DropoutField> = []
        if variant != nil { result.insert(.variant) }
        if rate != nil { result.insert(.rate) }
        if noiseShape != nil { result.insert(.noiseShape) }
        if dataFormat != nil { result.insert(.dataFormat) }
        if scale != nil { result.insert(.scale) }
        if fill != nil { result.insert(.fill) }
        if dtypes != nil { result.insert(.dtypes) }
        return result
    }

    /// `base` with every field this layer sets replaced, except the fields in `keeping`.
    public func applied(to base: DropoutSettings, keeping: Set<DropoutField> = []) -> DropoutSettings {
        var result = base
        if let variant, !keeping.contains(.variant) { result.variant = variant }
        if let rate, !keeping.contains(.rate) { result.rate = rate }
        if let noiseShape, !keeping.contains(.noiseShape) { result.noiseShape = noiseShape }
        if let dataFormat, !keeping.contains(.dataFormat) { result.dataFormat = dataFormat }
        if let scale, !keeping.contains(.scale) { result.scale = scale }
        if let fill, !keeping.contains(.fill) { result.fill = fill }
        if let dtypes, !keeping.contains(.dtypes) { result.dtypes = dtypes }
        return result
    }
}
