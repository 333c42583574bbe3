/// NumPy's `PCG64` bit generator (PCG XSL RR 128/64): a 128-bit LCG whose output is the
/// xor-folded, rotated new state, bit for bit as `numpy.random.PCG64`.
///
/// A value type passed `inout`; copying it forks the stream. See `shared/spec/numpy-rng.md` §2.
/// (NumPy's 32-bit buffer for float32 draws is not modelled: npdrop only draws u64/float64.)
public struct PCG64: Sendable, Hashable {
    /// The LCG multiplier, `0x2360ED051FC65DA4_4385DF649FCCF645` (a constant, folded into callers).
    @inlinable
    public static var multiplier: UInt128 { 0x2360_ED05_1FC6_5DA4_4385_DF64_9FCC_F645 }

    /// The LCG state (NumPy's `bit_generator.state["state"]["state"]`); the next draw steps it first.
    public var state: UInt128
    /// The odd LCG increment (NumPy's `bit_generator.state["state"]["inc"]`).
    public let inc: UInt128

    /// Seeds exactly like `np.random.PCG64(seq)`: four u64 seed words, the first of each pair
    /// the high half, then NumPy's two-step `srandom`.
    public init(_ seq: SeedSequence) {
        let words = seq.generateState64(4)
        let initState = (UInt128(words[0]) << 64) | UInt128(words[1])
        let initSeq = (UInt128(words[2]) << 64) | UInt128(words[3])
        let inc = (initSeq << 1) | 1
        var state: UInt128 = 0
        state = state &* Self.multiplier &+ inc
        state = state &+ initState
        state = state &* Self.multiplier &+ inc
        self.init(state: state, inc: inc)
    }

    /// Restores a generator from a state and an increment (as NumPy's `bit_generator.state`
    /// assignment does). Traps if `inc` is even, which no PCG64 stream has.
    public init(state: UInt128, inc: UInt128) {
        precondition(inc & 1 == 1, "PCG64 increment must be odd")
        self.state = state
        self.inc = inc
    }

    /// XSL-RR output of a state: xor the halves, rotate right by the top 6 bits.
    @inlinable @inline(__always)
    static func output(_ state: UInt128) -> UInt64 {
        let x = UInt64(truncatingIfNeeded: state >> 64) ^ UInt64(truncatingIfNeeded: state)
        let rot = UInt64(truncatingIfNeeded: state >> 122)
        return (x &>> rot) | (x &<< (64 &- rot))
    }

    /// Steps the state once and returns the output of the new state (NumPy's `next_uint64`).
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        state = state &* Self.multiplier &+ inc
        return Self.output(state)
    }

    /// One float64 in [0, 1) from one draw, as `Generator.random()`: `(next() >> 11) * 2^-53`.
    @inlinable @inline(__always)
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Moves the stream forward by `delta` draws in at most 128 squarings (NumPy's
    /// `advance`); `delta` is taken mod 2^128, so `0 &- k` walks back `k` draws. `inc` is unchanged.
    public mutating func advance(by delta: UInt128) {
        let (mult, plus) = Self.jump(by: delta, inc: inc)
        state = mult &* state &+ plus
    }

    /// The affine map `s -> mult * s + plus` that equals `delta` LCG steps with increment `inc`.
    @usableFromInline
    static func jump(by delta: UInt128, inc: UInt128) -> (mult: UInt128, plus: UInt128) {
        var accMult: UInt128 = 1
        var accPlus: UInt128 = 0
        var curMult = multiplier
        var curPlus = inc
        var delta = delta
        while delta > 0 {
            if delta & 1 == 1 {
                accMult = accMult &* curMult
                accPlus = accPlus &* curMult &+ curPlus
            }
            curPlus = (curMult &+ 1) &* curPlus
            curMult = curMult &* curMult
            delta >>= 1
        }
        return (accMult, accPlus)
    }
}
