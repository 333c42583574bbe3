/// Which random stream (and which arithmetic) an array's dropout follows (`--rng`).
public enum RandomStreamKind: String, Sendable, Hashable, CaseIterable {
    /// npdrop's own stream (contract §3.2): `PCG64(SeedSequence(seed, spawn_key))`, kept
    /// when `random() >= rate`, kept floats multiplied by `T(1/(1-rate))`.
    case npdrop
    /// What Keras 3's NumPy backend computes for the seed `[S, call]`:
    /// `default_rng([S, call]).uniform(size=noise_shape) < 1 - rate`, kept values divided by
    /// `keep_prob` in the array's dtype.
    case kerasNumPy = "keras-numpy"
    /// What Keras 3's JAX backend computes for the raw threefry key `[S, call]`:
    /// `jax.random.bernoulli(key, 1 - rate, noise_shape)` (JAX 0.10, 32-bit mode).
    case kerasJAX = "keras-jax"

    /// True for the two Keras streams.
    public var isKeras: Bool { self != .npdrop }
}
