import NPYFormat

/// Errors of the dropout layer. `description` is one line; the variants never know the file:
/// callers put them in a `FileError` to say where they happened.
public enum DropoutError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rate is NaN or outside [0, 1].
    case invalidRate(Double)
    /// A `--noise-shape` string that is not a list of `None` / non-negative integers.
    case badNoiseSpec(text: String, reason: String)
    /// An explicit noise shape whose rank differs from the array's.
    case noiseRankMismatch(spec: NoiseSpec, shape: [Int])
    /// An explicit noise-shape entry (at `axis`) that is neither `None`, 1 nor the array's dimension.
    case noiseEntryMismatch(spec: NoiseSpec, shape: [Int], axis: Int)
    /// A spatial preset applied to an array of a rank it does not accept.
    case unsupportedRank(variant: Variant, shape: [Int], acceptedRanks: [Int])
    /// A kernel or broadcast refusal for the array (dtype, alpha, fill, noise dims).
    case kernel(DropoutKernelError)
    /// An `.npz` member holds bytes after its array data.
    case trailingBytes
    /// The noise of an empty array (shape `shape`) has `count` elements, more than `limit`: its mask
    /// would be that many bytes written for an array of none (a tiny file could fill the disk).
    case noiseTooLarge(noiseDims: [Int], shape: [Int], count: Int, limit: Int)
    /// A Keras stream was asked for with a seed that does not fit Keras's uint32 seed state.
    case kerasSeedTooLarge(UInt64)
    /// A Keras stream was combined with an option Keras's dropout has no counterpart for.
    case kerasUnsupported(String)
    /// `--keras-call` or `--keras-layer` without `--rng keras-numpy|keras-jax`.
    case kerasOptionsNeedKerasStream
    /// A dtype the Keras backend's dropout does not handle (or that npdrop refuses to guess).
    case kerasDType(RandomStreamKind, DType, reason: String)

    /// One line: what was expected and what was found; text from files (descr strings, noise
    /// specs) is escaped (`MessageText`).
    public var description: String {
        MessageText.escaped(unescapedDescription)
    }

    private var unescapedDescription: String {
        switch self {
        case .invalidRate(let rate):
            return DropoutRate.message(rate)
        case .badNoiseSpec(let text, let reason):
            return "noise shape '\(text)' is not valid: \(reason)"
        case .noiseRankMismatch(let spec, let shape):
            return "noise shape \(spec) has rank \(spec.entries.count) but the array has shape "
                + "\(formatShape(shape)) of rank \(shape.count)"
        case .noiseEntryMismatch(let spec, let shape, let axis):
            // `axis 0 has size 1; its noise entry must be None or 1, found 2`.
            let size = axis < shape.count ? shape[axis] : nil
            let allowed = size.map { $0 == 1 ? "None or 1" : "None, 1 or \($0)" } ?? "None or 1"
            let found = axis < spec.entries.count ? spec.entries[axis].map(String.init) ?? "None" : "nothing"
            return "noise shape \(spec) does not fit array shape \(formatShape(shape)): axis \(axis) has size "
                + "\(size.map(String.init) ?? "?"); its noise entry must be \(allowed), found \(found)"
        case .unsupportedRank(let variant, let shape, let accepted):
            let ranks = accepted.map(String.init).joined(separator: " or ")
            return "\(variant.rawValue) needs an array of rank \(ranks), got shape \(formatShape(shape))"
        case .kernel(let inner):
            return inner.description
        case .trailingBytes:
            return "the member has bytes after its array data (an .npz member must hold exactly one .npy array)"
        case .noiseTooLarge(let noiseDims, let shape, let count, let limit):
            return "noise shape \(formatShape(noiseDims)) has \(count) elements for the empty array of shape "
                + "\(formatShape(shape)), more than the limit of \(limit) (the mask would be \(count) bytes)"
        case .kerasSeedTooLarge(let seed):
            return "--rng keras-numpy/keras-jax needs a seed in [0, 2^32) (Keras seeds are uint32), found \(seed)"
        case .kerasUnsupported(let what):
            return "--rng keras-numpy/keras-jax reproduces keras dropout, which has no \(what)"
        case .kerasOptionsNeedKerasStream:
            return "--keras-call and --keras-layer need --rng keras-numpy or --rng keras-jax"
        case .kerasDType(let rng, let dtype, let reason):
            return "--rng \(rng.rawValue) does not apply to dtype \(dtype.descr): \(reason)"
        }
    }
}

/// A shape written the way NumPy prints it: `(2, 3)`, `(5,)`, `()`.
public func formatShape(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
}
