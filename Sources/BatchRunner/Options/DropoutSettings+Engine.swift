import DropoutEngine

extension DropoutSettings {
    /// The engine's options for these settings and `seed`. Throws `DropoutError` when the
    /// combination cannot work for any array (alpha with rate 1, `--fill` or `--no-scale`; a
    /// rate outside [0, 1]), so the caller can report it against the array.
    func engineOptions(seed: UInt64) throws -> DropoutOptions {
        var engineFill: DropoutEngine.FillValue?
        if let fill {
            guard let value = DropoutEngine.FillValue(parsing: fill.text) else {
                throw RunnerError.usage("--fill: expected a number, found '\(fill.text)'")
            }
            engineFill = value
        }
        let options = DropoutOptions(
            variant: variant, rate: rate, noiseSpec: noiseShape,
            dataFormat: dataFormat, seed: seed, scale: scale, fill: engineFill)
        try options.validate()
        return options
    }
}
