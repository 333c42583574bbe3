extension ArrayDropoutPlan {
    /// Writes the keep flag (1 kept, 0 dropped) of every storage-order element in `elements`
    /// to `out[0 ..< elements.count]`. Depends only on the element indices, never on how the
    /// array is cut into chunks. Allocates nothing. Traps when `elements` is outside the array
    /// or `out` is too short (caller bugs).
    public func fillElementKeep(_ elements: Range<Int>, into out: UnsafeMutableBufferPointer<UInt8>) {
        precondition(elements.lowerBound >= 0 && elements.upperBound <= elementCount, "element range outside the array")
        precondition(out.count >= elements.count, "keep buffer shorter than the element range")
        let flags = UnsafeMutableBufferPointer(rebasing: out[..<elements.count])
        guard let base = flags.baseAddress else { return }
        switch strategy {
        case .constant:
            base.update(repeating: constantFlag, count: flags.count)
        case .inStep:
            var rng = stream
            rng.advance(by: UInt128(elements.lowerBound))
            rng.fillKeep(flags, rule: rule, parts: PCG64.keepParts)
        case .noiseTable:
            table?.withFlags { noise in map.fillKeep(elements: elements, noiseKeep: noise, into: flags) }
        case .strided:
            fillStrided(elements, into: base)
        case .counter:
            fillCounter(elements, into: base)
        }
    }

    /// Writes noise flags `noise` (C order of the noise shape: the mask's data bytes) to
    /// `out[0 ..< noise.count]`. Traps when `noise` is outside the noise or `out` is too short.
    public func fillNoiseKeep(_ noise: Range<Int>, into out: UnsafeMutableBufferPointer<UInt8>) {
        precondition(noise.lowerBound >= 0 && noise.upperBound <= noiseElementCount, "noise range outside the noise")
        precondition(out.count >= noise.count, "keep buffer shorter than the noise range")
        let flags = UnsafeMutableBufferPointer(rebasing: out[..<noise.count])
        guard let base = flags.baseAddress else { return }
        switch strategy {
        case .constant:
            base.update(repeating: constantFlag, count: flags.count)
        case .noiseTable:
            table?.withFlags { all in
                if let source = all.baseAddress { base.update(from: source + noise.lowerBound, count: noise.count) }
            }
        case .inStep, .strided:
            var rng = stream
            rng.advance(by: UInt128(noise.lowerBound))
            rng.fillKeep(flags, rule: rule, parts: PCG64.keepParts)
        case .counter:
            jaxKeep?.fill(from: noise.lowerBound, into: flags)
        }
    }

    /// `.counter`: each element's flag is computed from its noise index (threefry is random
    /// access), walking `elements` run by run; a broadcast run computes one flag.
    private func fillCounter(_ elements: Range<Int>, into out: UnsafeMutablePointer<UInt8>) {
        guard let keep = jaxKeep else { return }
        if masksInStep {
            keep.fill(from: elements.lowerBound, into: UnsafeMutableBufferPointer(start: out, count: elements.count))
            return
        }
        map.forEachRun(elements: elements) { run in
            let target = out + run.elementOffset
            if run.noiseStride == 0 || run.count == 1 {
                target.update(repeating: keep.keeps(run.noiseStart) ? 1 : 0, count: run.count)
                return
            }
            var index = run.noiseStart
            for j in 0..<run.count {
                target[j] = keep.keeps(index) ? 1 : 0
                index &+= run.noiseStride
            }
        }
    }

    /// `.strided`: walks `elements` run by run (`BroadcastMap.forEachRun`); each run's first
    /// draw is reached by jumping from the previous run's (jumps cached by distance, so a walk
    /// costs O(1) per run after the first few), then stepped by the run's noise stride (with
    /// `PCG64.fillKeep` when that stride is 1).
    private func fillStrided(_ elements: Range<Int>, into out: UnsafeMutablePointer<UInt8>) {
        let inc = stream.inc
        let mult = PCG64.multiplier
        let threshold = rule.threshold
        let flip = rule.flip
        let stride = innerNoiseStride
        let one = strideJump.one
        let four = strideJump.four
        let cacheSize = 8
        withUnsafeTemporaryAllocation(of: CachedJump.self, capacity: cacheSize) { cache in
            var cached = 0
            var replace = 0
            // State before the draw of the previous run's first noise element.
            var state = stream.state
            var previousStart = 0
            map.forEachRun(elements: elements) { run in
                let distance = run.noiseStart &- previousStart
                previousStart = run.noiseStart
                if distance != 0 {
                    var jump: Affine?
                    for i in 0..<cached where cache[i].distance == distance {
                        jump = cache[i].jump
                        break
                    }
                    if jump == nil {
                        let computed = PCG64.jump(by: UInt128(truncatingIfNeeded: distance), inc: inc)
                        let entry = CachedJump(
                            distance: distance, jump: Affine(mult: computed.mult, plus: computed.plus))
                        if cached < cacheSize {
                            (cache.baseAddress! + cached).initialize(to: entry)
                            cached += 1
                        } else {
                            cache[replace] = entry
                            replace = (replace + 1) % cacheSize
                        }
                        jump = entry.jump
                    }
                    if let jump { state = jump.mult &* state &+ jump.plus }
                }
                let target = out + run.elementOffset
                let first = state &* mult &+ inc
                if run.noiseStride == 0 || run.count == 1 {
                    let flag: UInt8 = ((PCG64.output(first) >> 11) >= threshold ? 1 : 0) ^ flip
                    target.update(repeating: flag, count: run.count)
                    return
                }
                precondition(run.noiseStride == stride, "runs step by the innermost walk stride")
                let count = run.count
                if stride == 1 {
                    // Consecutive draws: the stream's own keep kernel.
                    var rng = PCG64(state: state, inc: inc)
                    rng.fillKeep(UnsafeMutableBufferPointer(start: target, count: count), rule: rule)
                    return
                }
                var s = first
                var j = 0
                if count >= 16 {
                    var s0 = s
                    var s1 = one.mult &* s0 &+ one.plus
                    var s2 = one.mult &* s1 &+ one.plus
                    var s3 = one.mult &* s2 &+ one.plus
                    while j &+ 4 <= count {
                        target[j] = ((PCG64.output(s0) >> 11) >= threshold ? 1 : 0) ^ flip
                        target[j &+ 1] = ((PCG64.output(s1) >> 11) >= threshold ? 1 : 0) ^ flip
                        target[j &+ 2] = ((PCG64.output(s2) >> 11) >= threshold ? 1 : 0) ^ flip
                        target[j &+ 3] = ((PCG64.output(s3) >> 11) >= threshold ? 1 : 0) ^ flip
                        s0 = four.mult &* s0 &+ four.plus
                        s1 = four.mult &* s1 &+ four.plus
                        s2 = four.mult &* s2 &+ four.plus
                        s3 = four.mult &* s3 &+ four.plus
                        j &+= 4
                    }
                    s = s0
                }
                while j < count {
                    target[j] = ((PCG64.output(s) >> 11) >= threshold ? 1 : 0) ^ flip
                    s = one.mult &* s &+ one.plus
                    j &+= 1
                }
            }
            cache.baseAddress!.deinitialize(count: cached)
        }
    }
}

/// A stream jump remembered by the distance (in draws, possibly negative) it covers.
private struct CachedJump {
    var distance: Int
    var jump: Affine
}
