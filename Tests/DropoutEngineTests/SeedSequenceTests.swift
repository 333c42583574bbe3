import Foundation
import Testing

@testable import DropoutEngine

@Test func wordsOfAnIntegerAreLeastSignificantFirstWithoutHighZeros() {
    #expect(SeedSequence.words(of: 0) == [0])
    #expect(SeedSequence.words(of: 0xFFFF_FFFF) == [0xFFFF_FFFF])
    #expect(SeedSequence.words(of: 1 << 32) == [0, 1])
    #expect(SeedSequence.words(of: .max) == [0xFFFF_FFFF, 0xFFFF_FFFF])
}

@Test func entropyIsPaddedToFourWordsOnlyWhenThereIsASpawnKey() {
    #expect(SeedSequence.assemble(entropyWords: [7], spawnKey: []) == [7])
    #expect(SeedSequence.assemble(entropyWords: [7], spawnKey: [0]) == [7, 0, 0, 0, 0])
    #expect(SeedSequence.assemble(entropyWords: [0, 0, 0, 0, 0, 1], spawnKey: [9]) == [0, 0, 0, 0, 0, 1, 9])
    #expect(
        SeedSequence.assemble(entropyWords: [1], spawnKey: [(1 << 32) + 1, 0, 1 << 63])
            == [1, 0, 0, 0, 1, 1, 0, 0, 0x8000_0000])
    // Consequences spelled out in numpy-rng.md §1.4.
    #expect(
        SeedSequence(seed: 7, spawnKey: [1]).pool == SeedSequence(entropyWords: [7, 0, 0, 0, 1], spawnKey: []).pool)
    #expect(SeedSequence(seed: 7, spawnKey: [1]).pool != SeedSequence(entropyWords: [7, 1], spawnKey: []).pool)
    #expect(SeedSequence(seed: 0).pool == SeedSequence(entropyWords: [], spawnKey: []).pool)
    #expect(SeedSequence(seed: 0).pool == SeedSequence(entropyWords: [0, 0, 0, 0], spawnKey: []).pool)
    #expect(SeedSequence(seed: 0).pool != SeedSequence(entropyWords: [0, 0, 0, 0, 0], spawnKey: []).pool)
}

@Test func generateStateIsPureAndPrefixStable() {
    let seq = SeedSequence(seed: 99, spawnKey: [3, 1 << 40])
    #expect(seq.generateState64(4) == seq.generateState64(4))
    #expect(Array(seq.generateState64(9).prefix(4)) == seq.generateState64(4))
    #expect(seq.generateState64(0).isEmpty)
    let halves = seq.generateState32(8)
    #expect(seq.generateState64(4) == (0..<4).map { UInt64(halves[2 * $0]) | (UInt64(halves[2 * $0 + 1]) << 32) })
}

/// Seeds and spawn keys of every length 0...40 (elements below and above 2^32), compared with
/// NumPy's pool, generate_state, PCG64 state/inc and first draws.
@Test(.enabled(if: Reference.hasPython)) func seedSequenceAndPCG64MatchLiveNumPy() throws {
    var random = TestRandom(seed: 0x5eed)
    let seeds: [UInt64] =
        [0, 1, 2, 0xFFFF_FFFF, 1 << 32, 12345, 1 << 63, .max, .max - 1]
        + (0..<12).map { _ in random.next() >> UInt64(random.below(64)) }
    var cases: [(seed: UInt64, key: [UInt64])] = []
    for (index, seed) in seeds.enumerated() {
        for length in stride(from: index % 3, through: 40, by: 3) {
            let key: [UInt64] = (0..<length).map { _ in
                switch random.below(4) {
                case 0: return 0
                case 1: return random.next() & 0xFFFF_FFFF
                case 2: return random.next() >> UInt64(random.below(64))
                default: return random.next()
                }
            }
            cases.append((seed, key))
        }
        cases.append((seed, []))
    }
    let input = cases.map { "[\($0.seed), [\($0.key.map(String.init).joined(separator: ","))]]" }
        .joined(separator: ",\n")
    let script = """
        import json, numpy as np
        cases = json.loads('''[\(input)]''')
        out = []
        for seed, key in cases:
            ss = np.random.SeedSequence(seed, spawn_key=key)
            bg = np.random.PCG64(ss)
            st = bg.state["state"]
            out.append([[int(w) for w in ss.pool], [int(w) for w in ss.generate_state(4, np.uint64)],
                        str(st["state"]), str(st["inc"]), [str(int(v)) for v in bg.random_raw(3)]])
        print(json.dumps(out))
        """
    let answers = try #require(try Reference.json(try Reference.runPython(script)) as? [[Any]])
    try #require(answers.count == cases.count)
    for (c, answer) in zip(cases, answers) {
        let seq = SeedSequence(seed: c.seed, spawnKey: c.key)
        let label = "seed \(c.seed) key \(c.key)"
        #expect(seq.pool == (answer[0] as? [NSNumber])?.map(\.uint32Value), "\(label)")
        #expect(seq.generateState64(4) == (answer[1] as? [NSNumber])?.map(\.uint64Value), "\(label)")
        var rng = PCG64(seq)
        #expect(String(rng.state) == answer[2] as? String, "\(label)")
        #expect(String(rng.inc) == answer[3] as? String, "\(label)")
        #expect((0..<3).map { _ in String(rng.next()) } == answer[4] as? [String], "\(label)")
    }
}

/// The general word-array form against NumPy given the same run entropy as a list of u32.
@Test(.enabled(if: Reference.hasPython)) func entropyWordArraysMatchLiveNumPy() throws {
    var random = TestRandom(seed: 77)
    let cases: [(words: [UInt32], key: [UInt64])] = (0..<40).map { i in
        let words = (0..<random.below(9)).map { _ in UInt32(truncatingIfNeeded: random.next()) }
        let key = (0..<(i % 2 == 0 ? 0 : random.below(6))).map { _ in random.next() >> 20 }
        return (words, key)
    }
    let input = cases.map {
        "[[\($0.words.map(String.init).joined(separator: ","))], [\($0.key.map(String.init).joined(separator: ","))]]"
    }
    .joined(separator: ",")
    let script = """
        import json, numpy as np
        out = []
        for words, key in json.loads('[\(input)]'):
            ss = np.random.SeedSequence(np.array(words, dtype=np.uint32), spawn_key=key)
            out.append([int(w) for w in ss.pool])
        print(json.dumps(out))
        """
    let answers = try #require(try Reference.json(try Reference.runPython(script)) as? [[NSNumber]])
    try #require(answers.count == cases.count)
    for (c, answer) in zip(cases, answers) {
        #expect(
            SeedSequence(entropyWords: c.words, spawnKey: c.key).pool == answer.map(\.uint32Value),
            "\(c.words) \(c.key)")
    }
}
