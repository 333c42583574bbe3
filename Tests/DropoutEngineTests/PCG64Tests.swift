import Foundation
import Testing

@testable import DropoutEngine

@Test func nextDoubleIsTopFiftyThreeBitsTimesTwoToMinusFiftyThree() {
    var a = PCG64(SeedSequence(seed: 5))
    var b = a
    for _ in 0..<1000 {
        let u = a.next()
        let d = b.nextDouble()
        #expect(d == Double(u >> 11) / 9_007_199_254_740_992)
        #expect(d >= 0 && d < 1)
    }
}

@Test func restoringStateAndIncContinuesTheStream() {
    var rng = PCG64(SeedSequence(seed: 8, spawnKey: [1, 2]))
    _ = rng.next()
    var copy = PCG64(state: rng.state, inc: rng.inc)
    #expect((0..<10).map { _ in rng.next() } == (0..<10).map { _ in copy.next() })
}

@Test func advanceComposesAndMatchesSteppingForSmallDeltas() {
    var random = TestRandom(seed: 3)
    for _ in 0..<20 {
        let start = PCG64(SeedSequence(seed: random.next(), spawnKey: [random.next()]))
        let delta = random.below(300)
        var stepped = start
        for _ in 0..<delta { _ = stepped.next() }
        var jumped = start
        jumped.advance(by: UInt128(delta))
        #expect(jumped == stepped, "delta \(delta)")
        let big = random.next128()
        var once = start
        once.advance(by: big &+ UInt128(delta))
        var twice = start
        twice.advance(by: big)
        twice.advance(by: UInt128(delta))
        #expect(once == twice)
    }
    var full = PCG64(SeedSequence(seed: 1))
    let before = full
    full.advance(by: 0)
    #expect(full == before)
}

/// `advance` to large offsets against `bit_generator.advance` (delta reduced mod 2^128 by NumPy).
@Test(.enabled(if: Reference.hasPython)) func advanceMatchesLiveNumPy() throws {
    var random = TestRandom(seed: 0xad7a)
    let one: UInt128 = 1
    var deltas: [UInt128] = [0, 1, 2, 3, 1000, one << 32, one << 40, (one << 64) - 1, one << 64]
    deltas += [(one << 64) + 3, one << 127, (one << 127) + 1, UInt128.max, UInt128.max - 1]
    deltas += (0..<10).map { _ in random.next128() }
    let seeds: [UInt64] = [0, 42, .max, random.next()]
    var cases: [(seed: UInt64, key: [UInt64], delta: UInt128)] = []
    for seed in seeds {
        for delta in deltas {
            cases.append((seed, seed == 0 ? [] : [random.next() >> 8, 9], delta))
        }
    }
    let input = cases.map { "[\($0.seed), [\($0.key.map(String.init).joined(separator: ","))], \($0.delta)]" }
        .joined(separator: ",")
    let script = """
        import json, numpy as np
        out = []
        for seed, key, delta in json.loads('[\(input)]'):
            bg = np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key))
            bg.advance(delta)
            out.append([str(bg.state["state"]["state"]), [str(int(v)) for v in bg.random_raw(2)]])
        print(json.dumps(out))
        """
    let answers = try #require(try Reference.json(try Reference.runPython(script)) as? [[Any]])
    try #require(answers.count == cases.count)
    for (c, answer) in zip(cases, answers) {
        var rng = PCG64(SeedSequence(seed: c.seed, spawnKey: c.key))
        rng.advance(by: c.delta)
        #expect(String(rng.state) == answer[0] as? String, "seed \(c.seed) delta \(c.delta)")
        #expect([String(rng.next()), String(rng.next())] == answer[1] as? [String], "seed \(c.seed) delta \(c.delta)")
    }
}

/// Long runs of raw draws and doubles against NumPy (catches any slip past the first few draws).
@Test(.enabled(if: Reference.hasPython)) func longStreamsMatchLiveNumPy() throws {
    let script = """
        import numpy as np, sys
        g = np.random.Generator(np.random.PCG64(np.random.SeedSequence(2**64 - 1, spawn_key=[0, 5, 2**40])))
        raw = g.bit_generator.random_raw(5000)
        d = g.random(5000)
        sys.stdout.write(raw.astype('<u8').tobytes().hex() + "\\n" + d.astype('<f8').tobytes().hex())
        """
    let lines = try Reference.runPython(script).split(separator: "\n")
    try #require(lines.count == 2)
    var rng = PCG64(SeedSequence(seed: .max, spawnKey: [0, 5, 1 << 40]))
    var raw = ""
    for _ in 0..<5000 { raw += hexLittleEndian(rng.next()) }
    var doubles = ""
    for _ in 0..<5000 { doubles += hexLittleEndian(rng.nextDouble().bitPattern) }
    #expect(raw == String(lines[0]))
    #expect(doubles == String(lines[1]))
}

/// Lower-case hex of the 8 little-endian bytes of `value`.
func hexLittleEndian(_ value: UInt64) -> String {
    var text = ""
    for byte in 0..<8 {
        let b = UInt8(truncatingIfNeeded: value >> (8 * byte))
        text += String(b >> 4, radix: 16) + String(b & 15, radix: 16)
    }
    return text
}
