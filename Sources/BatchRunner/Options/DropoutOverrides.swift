import DropoutEngine

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
