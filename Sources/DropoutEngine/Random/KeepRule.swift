/// The keep decision `random() >= rate` done on integers: an element is kept when the top 53
/// bits of its draw reach `threshold = ceil(rate * 2^53)`.
///
/// Exactly equal to NumPy's `rng.random(shape) >= rate`, because `random()` is `k * 2^-53`
/// for the 53-bit integer `k = u >> 11` and `rate * 2^53` is exact in float64.
///
/// The Keras NumPy backend's rule, `rng.uniform(size) < 1 - rate`, is the same test turned
/// round: kept when `k < ceil((1 - rate) * 2^53)` (`init(kerasRate:)`, `flip == 1`).
public struct KeepRule: Sendable, Hashable {
    /// The dropout rate this rule was made from, in [0, 1].
    public let rate: Double
    /// `ceil(rate * 2^53)`: 0 keeps everything, `2^53` keeps nothing.
    public let threshold: UInt64
    /// 0: kept when `k >= threshold`; 1: kept when `k < threshold` (the flag is xor-ed with it).
    public let flip: UInt8

    /// Makes the rule for `rate`; throws `DropoutError.invalidRate` when `rate` is NaN or
    /// outside [0, 1].
    public init(rate: Double) throws(DropoutError) {
        guard DropoutRate.isValid(rate) else { throw .invalidRate(rate) }
        self.rate = rate
        // rate * 2^53 is exact (a power-of-two scale of a value <= 1), and so is its ceiling.
        self.threshold = UInt64((rate * 0x1p53).rounded(.up))
        flip = 0
    }

    /// The rule of Keras's NumPy backend: kept when `random() < keep_prob` with
    /// `keep_prob = 1 - rate` in float64, i.e. `k < ceil(keep_prob * 2^53)`. Throws
    /// `DropoutError.invalidRate` when `rate` is NaN or outside [0, 1].
    public init(kerasRate rate: Double) throws(DropoutError) {
        guard DropoutRate.isValid(rate) else { throw .invalidRate(rate) }
        self.rate = rate
        self.threshold = UInt64(((1.0 - rate) * 0x1p53).rounded(.up))
        flip = 1
    }

    /// True when draw `u` keeps its element: `(u >> 11) >= threshold`.
    @inlinable @inline(__always)
    public func keeps(_ u: UInt64) -> Bool {
        ((u >> 11) >= threshold) != (flip == 1)
    }
}
