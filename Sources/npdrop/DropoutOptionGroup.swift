import ArgumentParser
import BatchRunner
import DropoutEngine

extension Variant: ExpressibleByArgument {}
extension DataFormat: ExpressibleByArgument {}
extension RandomStreamKind: ExpressibleByArgument {}

/// The dropout options shared by `apply` and `run` (contract §4): every field is optional, so
/// a command can layer them over a config file (`overrides()`); `dropoutOptions(seed:)` fills
/// in the defaults for `apply`.
struct DropoutOptionGroup: ParsableArguments {
    @Option(help: "Dropout variant (default: dropout).")
    var variant: Variant?

    @Option(parsing: .unconditional, help: "Probability of dropping an element or channel, in [0, 1].")
    var rate: Double?

    @Option(
        name: .customLong("noise-shape"),
        help: ArgumentHelp(
            "Explicit noise shape, one entry per axis: None or 1 (or the axis's size), e.g. None,1,None. Overrides the variant's preset.",
            valueName: "spec"))
    var noiseShape: String?

    @Option(
        name: .customLong("data-format"),
        help: "Where the channel axis is for spatial variants (default: channels_last).")
    var dataFormat: DataFormat?

    @Option(
        parsing: .unconditional,
        help: "Seed, an integer in [0, 2^64). Without it a random seed is drawn and printed on stderr.")
    var seed: UInt64?

    @Flag(name: .customLong("no-scale"), help: "Do not scale kept float elements by 1/(1-rate).")
    var noScale = false

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Value dropped elements take instead of 0 (converted to the element type).", valueName: "value"))
    var fill: String?

    @Option(
        help:
            "Random stream: npdrop (default), or keras-numpy / keras-jax to reproduce Keras 3's dropout bit for bit (seed < 2^32)."
    )
    var rng: RandomStreamKind?

    @Option(
        name: .customLong("keras-call"), parsing: .unconditional,
        help: ArgumentHelp(
            "Keras streams: the seeded layer's call index K (seed state [seed, K]); for run, array i of the sorted work list is call K + i. Default 0.",
            valueName: "K"))
    var kerasCall: UInt32?

    @Flag(
        name: .customLong("keras-layer"),
        help:
            "Keras streams: reproduce keras.layers.Dropout (floats cast to float32 first) instead of the op keras.random.dropout."
    )
    var kerasLayer = false

    /// The dropout settings these flags give, typed (nil for a flag not given), each parsed
    /// here once. Throws `.usage` for a noise shape or fill value that is not one.
    func overrides() throws -> DropoutOverrides {
        var result = DropoutOverrides(
            variant: variant, rate: rate, dataFormat: dataFormat, scale: noScale ? false : nil)
        if let noiseShape {
            do {
                result.noiseShape = .some(try NoiseSpec(parsing: noiseShape))
            } catch {
                throw RunnerError.usage("--noise-shape: \(error)")
            }
        }
        if let fill {
            guard let value = FillValue(parsing: fill) else {
                throw RunnerError.usage("--fill: \(FillValue.parsingProblem(fill))")
            }
            result.fill = .some(value)
        }
        return result
    }

    /// The random stream these flags ask for.
    var stream: RandomStreamSettings {
        RandomStreamSettings(rng: rng ?? .npdrop, kerasCall: kerasCall ?? 0, kerasLayer: kerasLayer)
    }

    /// `apply`'s engine options for `seed`: these flags over the built-in defaults, checked by
    /// the one dropout check `run` uses (`DropoutSettings.validate`). Throws `.usage` (exit 2)
    /// when `--rate` is missing or the combination cannot work for any array.
    func dropoutOptions(seed: UInt64) throws -> DropoutOptions {
        guard let rate else { throw ValidationError("Missing expected argument '--rate <rate>'") }
        return try overrides().applied(to: DropoutSettings(rate: rate)).validate(seed: seed, stream: stream)
    }

    /// `--seed`, or a seed drawn from the system's random source (`drawn` true): the caller
    /// prints and records a drawn seed.
    func resolvedSeed() -> (seed: UInt64, drawn: Bool) {
        if let seed { return (seed, false) }
        var generator = SystemRandomNumberGenerator()
        let drawn: UInt64 = generator.next()
        // Keras seeds are uint32.
        return ((rng ?? .npdrop).isKeras ? drawn & 0xFFFF_FFFF : drawn, true)
    }
}
