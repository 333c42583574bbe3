import Foundation
import Testing

@testable import DropoutEngine

/// Rates where `>=` on doubles and `>=` on the integer threshold could part ways.
func edgeRates() -> [Double] {
    let ulp = 0x1p-53
    var rates: [Double] = [
        0, -0.0, 1, 0.5, 1.0 / 3, 2.0 / 3, 0.1, 0.3, 0.9, ulp, 1 - ulp, 0x1p-54, 3 * ulp,
        0x1p-60, .leastNonzeroMagnitude, .leastNormalMagnitude, 1 - 0x1p-52,
    ]
    for base in [0.5, 1.0 / 3, 0.1, 0.25, ulp, 1 - ulp, 0.7] {
        rates += [base.nextUp, base.nextDown, base.nextUp.nextUp, base.nextDown.nextDown]
    }
    rates.append(1.0.nextDown)
    var random = TestRandom(seed: 11)
    for _ in 0..<200 {
        let k = random.next() >> 11
        rates += [Double(k) * ulp, (Double(k) * ulp).nextUp, (Double(k) * ulp).nextDown]
        rates.append(Double(random.next() >> 11) * ulp * Double(random.next() >> 11) * ulp)
    }
    return rates.filter { $0 >= 0 && $0 <= 1 }
}

@Test func thresholdOfSimpleRates() throws {
    #expect(try KeepRule(rate: 0).threshold == 0)
    #expect(try KeepRule(rate: -0.0).threshold == 0)
    #expect(try KeepRule(rate: 1).threshold == 1 << 53)
    #expect(try KeepRule(rate: 0.5).threshold == 1 << 52)
    #expect(try KeepRule(rate: 0x1p-53).threshold == 1)
    #expect(try KeepRule(rate: 0x1p-54).threshold == 1)
    #expect(try KeepRule(rate: .leastNonzeroMagnitude).threshold == 1)
    #expect(try KeepRule(rate: 1 - 0x1p-53).threshold == (1 << 53) - 1)
}

@Test func rateOutsideZeroOneOrNaNIsRejected() {
    for bad in [Double.nan, -Double.leastNonzeroMagnitude, -1, 1.0.nextUp, 2, .infinity, -.infinity] {
        #expect(throws: DropoutError.self, "rate \(bad)") { try KeepRule(rate: bad) }
    }
    #expect(DropoutError.invalidRate(1.5).description == "rate must be in [0, 1], found 1.5")
}

/// keeps(u) == (Double(u >> 11) * 2^-53 >= rate) around each threshold and for random draws.
@Test func integerRuleEqualsFloatComparison() throws {
    var random = TestRandom(seed: 99)
    let top: UInt64 = 1 << 53
    for rate in edgeRates() {
        let rule = try KeepRule(rate: rate)
        var ks: [UInt64] = [0, 1, top - 1, top - 2]
        for offset in 0..<4 as Range<UInt64> {
            ks.append(rule.threshold &+ offset)
            ks.append(rule.threshold &- offset)
        }
        for _ in 0..<64 { ks.append(random.next() >> 11) }
        for k in ks where k < top {
            let u = (k << 11) | (random.next() & 0x7FF)
            #expect(rule.keeps(u) == (Double(u >> 11) * 0x1p-53 >= rate), "rate \(rate) k \(k)")
        }
    }
}

@Test func fillKeepEqualsDrawingOneByOne() throws {
    var random = TestRandom(seed: 5)
    for count in Array(0...70) + [1000, 4099] {
        let rule = try KeepRule(rate: [0, 1, 0.5, 0.3, 1.0 / 3][count % 5])
        let start = PCG64(SeedSequence(seed: random.next(), spawnKey: [UInt64(count)]))
        var serial = start
        let expected: [UInt8] = (0..<count).map { _ in rule.keeps(serial.next()) ? 1 : 0 }
        var fast = start
        var bytes = [UInt8](repeating: 7, count: count)
        bytes.withUnsafeMutableBufferPointer { fast.fillKeep($0, rule: rule) }
        #expect(bytes == expected, "count \(count)")
        #expect(fast == serial, "count \(count): stream ends where drawing one by one ends")
    }
}

@Test func fillKeepBitsPacksTheSameDecisions() throws {
    var random = TestRandom(seed: 6)
    for count in [0, 1, 3, 63, 64, 65, 127, 128, 129, 200, 1000] {
        let rule = try KeepRule(rate: 0.4)
        let start = PCG64(SeedSequence(seed: random.next()))
        var byteStream = start
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBufferPointer { byteStream.fillKeep($0, rule: rule) }
        var bitStream = start
        var words = [UInt64](repeating: .max, count: (count + 63) / 64)
        words.withUnsafeMutableBufferPointer { bitStream.fillKeepBits($0, count: count, rule: rule) }
        #expect(bitStream == byteStream, "count \(count)")
        for i in 0..<words.count * 64 {
            let bit = (words[i / 64] >> UInt64(i % 64)) & 1
            #expect(bit == (i < count ? UInt64(bytes[i]) : 0), "count \(count) bit \(i)")
        }
    }
}

/// Keep masks against NumPy's `rng.random(shape) >= rate`, including rates equal to (and one ulp
/// either side of) a value the stream itself draws, where `>=` decides.
@Test(.enabled(if: Reference.hasPython)) func keepMasksMatchLiveNumPy() throws {
    var random = TestRandom(seed: 0x3a5c)
    var cases: [(seed: UInt64, key: [UInt64], shape: [Int], rate: Double)] = []
    let shapes: [[Int]] = [[], [0], [1], [7], [3, 5], [2, 3, 4], [4, 1, 9], [257], [64, 40], [2, 0, 3]]
    for (i, shape) in shapes.enumerated() {
        for rate in [0, 1, 0.5, 0.3, 1.0 / 3, 0x1p-53, 1 - 0x1p-53] {
            cases.append((random.next() >> UInt64(i * 6), [UInt64(i), random.next()], shape, rate))
        }
    }
    for _ in 0..<6 {
        let seed = random.next()
        let key: [UInt64] = [0, 3, 0x61_6263]
        var probe = PCG64(SeedSequence(seed: seed, spawnKey: key))
        let drawn = (0..<50).map { _ in probe.nextDouble() }
        let target = drawn[random.below(50)]
        for rate in [target, target.nextUp, target.nextDown] {
            cases.append((seed, key, [5, 10], rate))
        }
    }
    let input = cases.map {
        "[\($0.seed), [\($0.key.map(String.init).joined(separator: ","))], [\($0.shape.map(String.init).joined(separator: ","))], \($0.rate)]"
    }.joined(separator: ",")
    let script = """
        import json, numpy as np
        out = []
        for seed, key, shape, rate in json.loads('[\(input)]'):
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))
            keep = rng.random(tuple(shape)) >= rate
            out.append((keep.astype(np.uint8).ravel() + 48).tobytes().decode())
        print(json.dumps(out))
        """
    let answers = try #require(try Reference.json(try Reference.runPython(script)) as? [String])
    try #require(answers.count == cases.count)
    for (c, answer) in zip(cases, answers) {
        let count = c.shape.reduce(1, *)
        var rng = PCG64(SeedSequence(seed: c.seed, spawnKey: c.key))
        var bytes = [UInt8](repeating: 9, count: count)
        let rule = try KeepRule(rate: c.rate)
        bytes.withUnsafeMutableBufferPointer { rng.fillKeep($0, rule: rule) }
        #expect(
            String(decoding: bytes.map { $0 + 48 }, as: UTF8.self) == answer,
            "seed \(c.seed) shape \(c.shape) rate \(c.rate)")
    }
}

/// Filling in chunks of any size, or jumping to a chunk with advance, gives the same bytes as
/// one fill of the whole mask.
@Test func chunkedAndJumpedFillsEqualOneFill() throws {
    let rule = try KeepRule(rate: 0.37)
    let start = ArrayKey(relpath: "chunks.npy").stream(seed: 31, copy: 0)
    let total = 10_000
    var whole = [UInt8](repeating: 0, count: total)
    var rng = start
    whole.withUnsafeMutableBufferPointer { rng.fillKeep($0, rule: rule) }
    var random = TestRandom(seed: 8)
    for _ in 0..<5 {
        var chunked = [UInt8](repeating: 0, count: total)
        var stream = start
        var done = 0
        while done < total {
            let size = min(total - done, [0, 1, 3, 15, 16, 17, 64, 999][random.below(8)])
            chunked.withUnsafeMutableBufferPointer { all in
                stream.fillKeep(UnsafeMutableBufferPointer(rebasing: all[done..<(done + size)]), rule: rule)
            }
            done += size
        }
        #expect(chunked == whole)
        #expect(stream == rng)
        let from = random.below(total)
        let to = from + random.below(total - from + 1)
        var jumped = start
        jumped.advance(by: UInt128(from))
        var slice = [UInt8](repeating: 0, count: to - from)
        slice.withUnsafeMutableBufferPointer { jumped.fillKeep($0, rule: rule) }
        #expect(slice == Array(whole[from..<to]), "[\(from), \(to))")
    }
}
