/// The keep decision `random() >= rate` done on integers: an element is kept when the top 53
/// bits of its draw reach `threshold = ceil(rate * 2^53)`.
///
/// Exactly equal to NumPy's `rng.random(shape) >= rate`, because `random()` is `k * 2^-53`
/// for the 53-bit integer `k = u >> 11` and `rate * 2^53` is exact in float64.
public struct KeepRule: Sendable, Hashable {
    /// The dropout rate this rule was made from, in [0, 1].
    public let rate: Double
    /// `ceil(rate * 2^53)`: 0 keeps everything, `2^53` keeps nothing.
    public let threshold: UInt64

    /// Makes the rule for `rate`; throws `DropoutError.invalidRate` when `rate` is NaN or
    /// outside [0, 1].
    public init(rate: Double) throws(DropoutError) {
        guard rate >= 0 && rate <= 1 else { throw .invalidRate(rate) }
        self.rate = rate
        // rate * 2^53 is exact (a power-of-two scale of a value <= 1), and so is its ceiling.
        self.threshold = UInt64((rate * 0x1p53).rounded(.up))
    }

    /// True when draw `u` keeps its element: `(u >> 11) >= threshold`.
    @inlinable @inline(__always)
    public func keeps(_ u: UInt64) -> Bool {
        (u >> 11) >= threshold
    }
}
