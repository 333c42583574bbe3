/// Everything that decides an array's dropout apart from the array and its key: the
/// command-line dropout options plus the run seed.
public struct DropoutOptions: Sendable, Hashable {
    /// Which dropout (and which noise-shape preset).
    public var variant: Variant
    /// Probability of dropping, in `[0, 1]` (below 1 for `alpha`).
    public var rate: Double
    /// An explicit `--noise-shape`, overriding the variant's preset; nil for the preset.
    public var noiseSpec: NoiseSpec?
    /// Where the channel axis is for the spatial presets.
    public var dataFormat: DataFormat
    /// The run seed: the entropy of every array's `SeedSequence`.
    public var seed: UInt64
    /// False for `--no-scale`: kept floats are not multiplied by `1/(1-rate)`.
    public var scale: Bool
    /// `--fill V`: the value dropped elements take instead of 0; nil for 0.
    public var fill: FillValue?
    /// `--rng`: npdrop's stream (default) or one of the Keras backends'.
    public var rng: RandomStreamKind = .npdrop
    /// `--keras-call K` (Keras streams only): the seed is `[seed, kerasCall]`, the state of a
    /// seeded layer's `SeedGenerator` on its call `kerasCall` (0-based).
    public var kerasCall: UInt32 = 0
    /// `--keras-layer` (Keras streams only): reproduce the layer, which first casts floating
    /// inputs to float32 (Keras's default dtype policy); without it, the op
    /// `keras.random.dropout`.
    public var kerasLayer = false

    /// Options with the command-line defaults for everything but `rate` and `seed`.
    public init(
        variant: Variant = .dropout, rate: Double, noiseSpec: NoiseSpec? = nil,
        dataFormat: DataFormat = .channelsLast, seed: UInt64, scale: Bool = true, fill: FillValue? = nil
    ) {
        self.variant = variant
        self.rate = rate
        self.noiseSpec = noiseSpec
        self.dataFormat = dataFormat
        self.seed = seed
        self.scale = scale
        self.fill = fill
    }

    /// The kernel formula the variant uses.
    public var mode: DropoutMode { variant == .alpha ? .alpha : .standard }

    /// Checks what does not depend on any array: the rate is in `[0, 1]`, and alpha dropout has
    /// `rate < 1`, no `--fill` and no `--no-scale`; a Keras stream has a seed below 2^32 and
    /// none of alpha, `--fill`, `--no-scale`; `--keras-call`/`--keras-layer` need a Keras stream. Throws `DropoutError.invalidRate`,
    /// `.kerasSeedTooLarge`, `.kerasUnsupported`, `.kerasOptionsNeedKerasStream` or `.kernel(...)`; arrays can still refuse later (dtype, rank, fill range).
    public func validate() throws(DropoutError) {
        _ = try KeepRule(rate: rate)
        if rng.isKeras {
            guard seed <= UInt64(UInt32.max) else { throw .kerasSeedTooLarge(seed) }
            if variant == .alpha { throw .kerasUnsupported("alpha dropout") }
            if fill != nil { throw .kerasUnsupported("--fill") }
            if !scale { throw .kerasUnsupported("--no-scale") }
        } else if kerasLayer || kerasCall != 0 {
            throw .kerasOptionsNeedKerasStream
        }
        guard variant == .alpha else { return }
        if rate >= 1 { throw .kernel(.alphaRateOne) }
        if fill != nil { throw .kernel(.alphaWithFill) }
        if !scale { throw .kernel(.alphaWithoutScale) }
    }
}
