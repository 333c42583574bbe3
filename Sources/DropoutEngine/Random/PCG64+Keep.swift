import NPDropKernels

extension PCG64 {
    /// Writes one keep byte per draw (1 = kept, 0 = dropped) to every byte of `out`, in order,
    /// advancing the stream by `out.count` draws. Equals `rng.random(n) >= rate` as bytes.
    ///
    /// Runs `RandomKernel.active` (the scalar kernel below `RandomKernel.vectorMinimumCount`
    /// draws); every kernel writes the bytes of `referenceFillKeep`.
    @inline(__always)
    public mutating func fillKeep(_ out: UnsafeMutableBufferPointer<UInt8>, rule: KeepRule) {
        fillKeep(out, rule: rule, kernel: out.count < RandomKernel.vectorMinimumCount ? .scalar : RandomKernel.active)
    }

    /// `fillKeep` with the C kernel `kernel`. Traps when this CPU cannot run it.
    public mutating func fillKeep(_ out: UnsafeMutableBufferPointer<UInt8>, rule: KeepRule, kernel: RandomKernel) {
        precondition(kernel.isSupported, "random kernel \(kernel) is not supported by this CPU")
        guard let base = out.baseAddress, !out.isEmpty else { return }
        let rng = npdrop_pcg64(
            state_high: UInt64(truncatingIfNeeded: state >> 64), state_low: UInt64(truncatingIfNeeded: state),
            inc_high: UInt64(truncatingIfNeeded: inc >> 64), inc_low: UInt64(truncatingIfNeeded: inc))
        let after =
            switch kernel {
            case .scalar: npdrop_keep_scalar(rng, rule.threshold, base, out.count)
            case .avx2: npdrop_keep_avx2(rng, rule.threshold, base, out.count)
            case .avx512ifma: npdrop_keep_avx512ifma(rng, rule.threshold, base, out.count)
            }
        state = (UInt128(after.state_high) << 64) | UInt128(after.state_low)
        if rule.flip != 0 {
            // The kernels test `k >= threshold`; Keras's NumPy rule keeps the complement.
            for i in 0..<out.count { base[i] ^= 1 }
        }
    }

    /// The Swift reference of `fillKeep` (same bytes, same end state), which the C kernels are
    /// tested against.
    ///
    /// Runs four interleaved LCG lanes (each jumping 4 steps) so the 128-bit multiplies of
    /// consecutive draws do not wait on each other; the bytes are the same as drawing one by one.
    @inlinable
    public mutating func referenceFillKeep(_ out: UnsafeMutableBufferPointer<UInt8>, rule: KeepRule) {
        guard let base = out.baseAddress else { return }
        let count = out.count
        let threshold = rule.threshold
        let flip = rule.flip
        let mult = Self.multiplier
        let inc = self.inc
        var s = state
        var i = 0
        if count >= 16 {
            let (mult4, plus4) = Self.jump(by: 4, inc: inc)
            // Lane k holds the stepped state of draw i + k.
            var s0 = s &* mult &+ inc
            var s1 = s0 &* mult &+ inc
            var s2 = s1 &* mult &+ inc
            var s3 = s2 &* mult &+ inc
            while i &+ 4 <= count {
                base[i] = ((Self.output(s0) >> 11) >= threshold ? 1 : 0) ^ flip
                base[i &+ 1] = ((Self.output(s1) >> 11) >= threshold ? 1 : 0) ^ flip
                base[i &+ 2] = ((Self.output(s2) >> 11) >= threshold ? 1 : 0) ^ flip
                base[i &+ 3] = ((Self.output(s3) >> 11) >= threshold ? 1 : 0) ^ flip
                s = s3
                s0 = s0 &* mult4 &+ plus4
                s1 = s1 &* mult4 &+ plus4
                s2 = s2 &* mult4 &+ plus4
                s3 = s3 &* mult4 &+ plus4
                i &+= 4
            }
        }
        while i < count {
            s = s &* mult &+ inc
            base[i] = ((Self.output(s) >> 11) >= threshold ? 1 : 0) ^ flip
            i &+= 1
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
        let flip = rule.flip
        let mult = Self.multiplier
        let inc = self.inc
        let (mult4, plus4) = Self.jump(by: 4, inc: inc)
        var s = state
        var done = 0
        var word = 0
        while done < count {
            var packed: UInt64 = 0
            if count - done >= 64 {
                // Four interleaved lanes, as in fillKeep.
                var s0 = s &* mult &+ inc
                var s1 = s0 &* mult &+ inc
                var s2 = s1 &* mult &+ inc
                var s3 = s2 &* mult &+ inc
                var bit: UInt64 = 0
                while bit < 64 {
                    packed |= UInt64(((Self.output(s0) >> 11) >= threshold ? 1 : 0) ^ flip) &<< bit
                    packed |= UInt64(((Self.output(s1) >> 11) >= threshold ? 1 : 0) ^ flip) &<< (bit &+ 1)
                    packed |= UInt64(((Self.output(s2) >> 11) >= threshold ? 1 : 0) ^ flip) &<< (bit &+ 2)
                    packed |= UInt64(((Self.output(s3) >> 11) >= threshold ? 1 : 0) ^ flip) &<< (bit &+ 3)
                    s = s3
                    s0 = s0 &* mult4 &+ plus4
                    s1 = s1 &* mult4 &+ plus4
                    s2 = s2 &* mult4 &+ plus4
                    s3 = s3 &* mult4 &+ plus4
                    bit &+= 4
                }
                done &+= 64
            } else {
                for bit in 0..<UInt64(count - done) {
                    s = s &* mult &+ inc
                    packed |= UInt64(((Self.output(s) >> 11) >= threshold ? 1 : 0) ^ flip) &<< bit
                }
                done = count
            }
            base[word] = packed
            word &+= 1
        }
        state = s
    }
}
