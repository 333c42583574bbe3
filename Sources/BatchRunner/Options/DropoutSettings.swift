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
