extension PCG64 {
    /// Writes one keep byte per draw (1 = kept, 0 = dropped) to every byte of `out`, in order,
    /// advancing the stream by `out.count` draws. Equals `rng.random(n) >= rate` as bytes.
    @inlinable
    public mutating func fillKeep(_ out: UnsafeMutableBufferPointer<UInt8>, rule: KeepRule) {
        guard let base = out.baseAddress else { return }
        let threshold = rule.threshold
        let inc = self.inc
        var s = state
        for i in 0..<out.count {
            s = s &* Self.multiplier &+ inc
            base[i] = (Self.output(s) >> 11) >= threshold ? 1 : 0
        }
        state = s
    }

    /// Packs `count` keep decisions into bits, draw `i` at bit `i % 64` of word `i / 64`
    /// (1 = kept); bits past `count` in the last word are 0. Advances by `count` draws.
    /// Traps if `out` has fewer than `(count + 63) / 64` words.
    @inlinable
    public mutating func fillKeepBits(_ out: UnsafeMutableBufferPointer<UInt64>, count: Int, rule: KeepRule) {
        precondition(count >= 0 && out.count >= (count + 63) / 64, "fillKeepBits: buffer too small")
        guard let base = out.baseAddress else { return }
        let threshold = rule.threshold
        let inc = self.inc
        var s = state
        var done = 0
        var word = 0
        while done < count {
            let bits = min(64, count - done)
            var packed: UInt64 = 0
            for bit in 0..<bits {
                s = s &* Self.multiplier &+ inc
                let kept: UInt64 = (Self.output(s) >> 11) >= threshold ? 1 : 0
                packed |= kept &<< UInt64(bit)
            }
            base[word] = packed
            word += 1
            done += bits
        }
        state = s
    }
}
