/// NumPy's `SeedSequence` (pool size 4): mixes entropy words and a spawn key into a 128-bit
/// pool and hands out seed words from it, bit for bit as NumPy 1.19+ does.
///
/// See `shared/spec/numpy-rng.md` §1. A value type; nothing here draws from the OS, so the
/// caller always supplies the entropy.
public struct SeedSequence: Sendable, Hashable {
    /// Number of 32-bit pool words (NumPy's default `pool_size`).
    public static let poolSize = 4

    static let initA: UInt32 = 0x43B0_D7E5
    static let multA: UInt32 = 0x931E_8875
    static let initB: UInt32 = 0x8B51_F9DD
    static let multB: UInt32 = 0x58F3_8DED
    static let mixMultL: UInt32 = 0xCA01_F9DD
    static let mixMultR: UInt32 = 0x4973_F715

    /// The mixed pool, `poolSize` words (NumPy's `SeedSequence.pool`).
    public let pool: [UInt32]

    /// Builds the sequence from run-entropy words (least significant first, as NumPy coerces
    /// an integer or a list of integers) and a spawn key whose elements are each split into
    /// 32-bit words; the entropy is zero-padded to 4 words when the spawn key is non-empty.
    public init(entropyWords: [UInt32], spawnKey: [UInt64]) {
        pool = Self.mix(Self.assemble(entropyWords: entropyWords, spawnKey: spawnKey))
    }

    /// Same as NumPy's `SeedSequence(seed, spawn_key=spawnKey)` for an integer seed.
    public init(seed: UInt64, spawnKey: [UInt64] = []) {
        self.init(entropyWords: Self.words(of: seed), spawnKey: spawnKey)
    }

    /// The words NumPy takes from one non-negative integer: least significant first, no high
    /// zero words, and `[0]` for zero.
    public static func words(of value: UInt64) -> [UInt32] {
        let low = UInt32(truncatingIfNeeded: value)
        let high = UInt32(truncatingIfNeeded: value >> 32)
        return high == 0 ? [low] : [low, high]
    }

    /// The word array NumPy feeds to the mixer: the run entropy (padded with zeros to the pool
    /// size if a spawn key is present) followed by the words of every spawn-key element.
    public static func assemble(entropyWords: [UInt32], spawnKey: [UInt64]) -> [UInt32] {
        var words = entropyWords
        if !spawnKey.isEmpty && words.count < poolSize {
            words.append(contentsOf: repeatElement(0, count: poolSize - words.count))
        }
        for element in spawnKey {
            words.append(contentsOf: Self.words(of: element))
        }
        return words
    }

    /// NumPy's `generate_state(n, np.uint64)`: `n` words from the pool, each the little-endian
    /// join of two consecutive 32-bit outputs. Pure; the sequence is unchanged.
    public func generateState64(_ n: Int) -> [UInt64] {
        precondition(n >= 0, "generateState64 needs a non-negative count")
        let halves = generateState32(2 * n)
        return (0..<n).map { i in UInt64(halves[2 * i]) | (UInt64(halves[2 * i + 1]) << 32) }
    }

    /// NumPy's `generate_state(n, np.uint32)`. Pure; the sequence is unchanged.
    public func generateState32(_ n: Int) -> [UInt32] {
        precondition(n >= 0, "generateState32 needs a non-negative count")
        var hashConst = Self.initB
        var out = [UInt32]()
        out.reserveCapacity(n)
        for i in 0..<n {
            var value = pool[i % Self.poolSize] ^ hashConst
            hashConst = hashConst &* Self.multB
            value = value &* hashConst
            out.append(value ^ (value >> 16))
        }
        return out
    }

    /// NumPy's `mix_entropy`: one hash constant runs through all three phases.
    static func mix(_ words: [UInt32]) -> [UInt32] {
        var hashConst = initA
        func hashmix(_ input: UInt32) -> UInt32 {
            var value = input ^ hashConst
            hashConst = hashConst &* multA
            value = value &* hashConst
            return value ^ (value >> 16)
        }
        func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
            let r = mixMultL &* x &- mixMultR &* y
            return r ^ (r >> 16)
        }
        var pool = [UInt32](repeating: 0, count: poolSize)
        for i in 0..<poolSize {
            pool[i] = hashmix(i < words.count ? words[i] : 0)
        }
        for src in 0..<poolSize {
            for dst in 0..<poolSize where src != dst {
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
            }
        }
        for src in poolSize..<max(poolSize, words.count) {
            for dst in 0..<poolSize {
                pool[dst] = mix(pool[dst], hashmix(words[src]))
            }
        }
        return pool
    }
}
