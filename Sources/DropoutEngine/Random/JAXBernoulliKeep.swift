/// The keep flags of `jax.random.bernoulli(key, p=keep_prob, shape=noise_shape)` for a raw
/// threefry key `[seed, call]`, as JAX 0.10 computes them (`jax_threefry_partitionable=True`,
/// `jax_enable_x64=False`):
///
/// - noise element `i` (C order) hashes the counter `(i >> 32, i & 0xFFFFFFFF)` and takes the
///   32 bits `b = out0 ^ out1` (`_threefry_random_bits_partitionable`);
/// - the float32 uniform is `(b >> 9) * 2^-23` (`_uniform`: 23 mantissa bits of `1.x`, minus 1);
/// - kept when that uniform is below `float32(keep_prob)`, i.e. `(b >> 9) < threshold` with
///   `threshold = ceil(float32(keep_prob) * 2^23)` (exact: the product is a float32 times a
///   power of two).
///
/// Random access: every flag is a pure function of its index, so no position ever has to be
/// reached by stepping.
public struct JAXBernoulliKeep: Sendable, Hashable {
    /// The hash keyed by `[seed, call]`.
    public let threefry: Threefry2x32
    /// `ceil(float32(1 - rate) * 2^23)`, at most `2^23`.
    public let threshold: UInt32

    /// The flags for `rate` under the key `[seed, call]`. `rate` must be in [0, 1] (checked by
    /// `KeepRule` before a plan is made).
    public init(seed: UInt32, call: UInt32, rate: Double) {
        threefry = Threefry2x32(key0: seed, key1: call)
        threshold = UInt32((Double(Float(1.0 - rate)) * 0x1p23).rounded(.up))
    }

    /// The keep flag of noise element `index`.
    @inlinable @inline(__always)
    public func keeps(_ index: Int) -> Bool {
        let i = UInt64(truncatingIfNeeded: index)
        let (a, b) = threefry.hash(UInt32(truncatingIfNeeded: i >> 32), UInt32(truncatingIfNeeded: i))
        return ((a ^ b) >> 9) < threshold
    }

    /// Writes the flags (1 kept, 0 dropped) of noise elements `start ..< start + out.count`.
    @inlinable
    public func fill(from start: Int, into out: UnsafeMutableBufferPointer<UInt8>) {
        for j in 0..<out.count {
            out[j] = keeps(start &+ j) ? 1 : 0
        }
    }
}
