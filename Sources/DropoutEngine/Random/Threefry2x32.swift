/// The Threefry-2x32 block function with 20 rounds, bit for bit as JAX's `threefry2x32`
/// (`jax/_src/random/threefry2x32.py`): a key of two words hashes a counter of two words.
public struct Threefry2x32: Sendable, Hashable {
    /// The key words (`key[0]`, `key[1]` of a raw JAX key).
    public let key0: UInt32
    public let key1: UInt32
    /// The third key-schedule word, `key0 ^ key1 ^ 0x1BD11BDA`.
    @usableFromInline let key2: UInt32

    /// A hash for the raw key `[key0, key1]`.
    public init(key0: UInt32, key1: UInt32) {
        self.key0 = key0
        self.key1 = key1
        key2 = key0 ^ key1 ^ 0x1BD1_1BDA
    }

    /// The two output words for counter `(x0, x1)`. Pure; no state.
    @inlinable @inline(__always)
    public func hash(_ x0: UInt32, _ x1: UInt32) -> (UInt32, UInt32) {
        var a = x0 &+ key0
        var b = x1 &+ key1
        @inline(__always) func round(_ r: UInt32) {
            a = a &+ b
            b = (b &<< r) | (b &>> (32 &- r))
            b = a ^ b
        }
        round(13); round(15); round(26); round(6)
        a = a &+ key1; b = b &+ key2 &+ 1
        round(17); round(29); round(16); round(24)
        a = a &+ key2; b = b &+ key0 &+ 2
        round(13); round(15); round(26); round(6)
        a = a &+ key0; b = b &+ key1 &+ 3
        round(17); round(29); round(16); round(24)
        a = a &+ key1; b = b &+ key2 &+ 4
        round(13); round(15); round(26); round(6)
        a = a &+ key2; b = b &+ key0 &+ 5
        return (a, b)
    }
}
