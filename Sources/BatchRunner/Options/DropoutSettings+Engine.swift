import DropoutEngine

/// The random stream dropout follows (`--rng`, `--keras-call`, `--keras-layer`), typed.
public struct RandomStreamSettings: Sendable, Hashable {
    /// `--rng`.
    public var rng: RandomStreamKind
    /// `--keras-call K`.
    public var kerasCall: UInt32
    /// `--keras-layer`.
    public var kerasLayer: Bool

    /// npdrop's own stream unless told otherwise.
    public init(rng: RandomStreamKind = .npdrop, kerasCall: UInt32 = 0, kerasLayer: Bool = false) {
        self.rng = rng
        self.kerasCall = kerasCall
        self.kerasLayer = kerasLayer
    }
}

extension DropoutSettings {
    /// The engine's options for these settings and `seed`. Throws `DropoutError` when the
    /// combination cannot work for any array (alpha with rate 1, `--fill` or `--no-scale`; a
    /// rate outside [0, 1]), so the caller can report it against the array.
    func engineOptions(
        seed: UInt64, stream: RandomStreamSettings = RandomStreamSettings()
    ) throws(DropoutError) -> DropoutOptions {
        var options = DropoutOptions(
            variant: variant, rate: rate, noiseSpec: noiseShape,
            dataFormat: dataFormat, seed: seed, scale: scale, fill: fill)
        options.rng = stream.rng
        options.kerasCall = stream.kerasCall
        options.kerasLayer = stream.kerasLayer
        try options.validate()
        return options
    }

    /// The one check of dropout settings before any work, for `run` and `apply` alike: the
    /// rate (`DropoutRate`'s message, naming `--rate`), then what no array can take (alpha
    /// with rate 1, `--fill` or `--no-scale`; a Keras stream with a seed of 2^32 or more, alpha,
    /// `--fill` or `--no-scale`; Keras options without a Keras stream), in the engine's words.
    /// Returns the engine's options for `seed`; throws `.usage`.
    @discardableResult
    public func validate(seed: UInt64, stream: RandomStreamSettings = RandomStreamSettings()) throws -> DropoutOptions {
        try DropoutSettings.checkRate(rate)
        do {
            return try engineOptions(seed: seed, stream: stream)
        } catch {
            throw RunnerError.usage(error.description)
        }
    }
}
