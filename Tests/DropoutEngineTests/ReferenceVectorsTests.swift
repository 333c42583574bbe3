import Foundation
import Testing

@testable import DropoutEngine

/// Every vector of Fixtures/rng/numpy-rng-vectors.json (made by NumPy 2.4.6).
struct RNGVector {
    let name: String
    let entropyWords: [UInt32]
    let spawnKey: [UInt64]
    let assembled: [UInt32]
    let pool: [UInt32]
    let state64: [UInt64]
    let pcgState: UInt128
    let pcgInc: UInt128
    let advance: UInt128?
    let stateAfterAdvance: UInt128?
    let firstU64: [UInt64]
    let firstF64Bits: [UInt64]

    /// NumPy's word split of one integer written in hex: least significant first, `[0]` for 0.
    static func words(ofHex hex: String) -> [UInt32] {
        var digits = Array(hex.hasPrefix("0x") ? hex.dropFirst(2) : Substring(hex))
        while digits.count > 1 && digits.first == "0" { digits.removeFirst() }
        var words: [UInt32] = []
        var end = digits.count
        while end > 0 {
            let start = max(0, end - 8)
            words.append(UInt32(String(digits[start..<end]), radix: 16)!)
            end = start
        }
        return words.isEmpty ? [0] : words
    }

    static func load() throws -> [RNGVector] {
        let url = Reference.rngFixtures.appendingPathComponent("numpy-rng-vectors.json")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        return try list.map { item in
            func hexList(_ key: String) throws -> [String] { try #require(item[key] as? [String], "\(key)") }
            let entropyWords: [UInt32]
            if let single = item["entropy"] as? String {
                entropyWords = words(ofHex: single)
            } else {
                entropyWords = try #require(item["entropy"] as? [String]).flatMap(words(ofHex:))
            }
            return RNGVector(
                name: try #require(item["name"] as? String),
                entropyWords: entropyWords,
                spawnKey: try hexList("spawn_key").map { try #require(UInt64(hex: $0)) },
                assembled: try hexList("assembled_entropy_u32").map {
                    try #require(UInt32($0.dropFirst(2), radix: 16))
                },
                pool: try hexList("pool_u32").map { try #require(UInt32($0.dropFirst(2), radix: 16)) },
                state64: try hexList("generate_state_4_u64").map { try #require(UInt64(hex: $0)) },
                pcgState: try #require((item["pcg_state"] as? String).flatMap { UInt128(hex: $0) }),
                pcgInc: try #require((item["pcg_inc"] as? String).flatMap { UInt128(hex: $0) }),
                advance: (item["advance"] as? Int).map { UInt128($0) },
                stateAfterAdvance: (item["pcg_state_after_advance"] as? String).flatMap { UInt128(hex: $0) },
                firstU64: try hexList("first_u64").map { try #require(UInt64(hex: $0)) },
                firstF64Bits: try hexList("first_f64_bits").map { try #require(UInt64(hex: $0)) }
            )
        }
    }
}

@Test func vectorFileHasAllTenCases() throws {
    let vectors = try RNGVector.load()
    #expect(vectors.count == 10)
    #expect(vectors.contains { $0.advance != nil && $0.stateAfterAdvance != nil })
}

@Test func seedSequenceMatchesEveryVector() throws {
    for v in try RNGVector.load() {
        #expect(SeedSequence.assemble(entropyWords: v.entropyWords, spawnKey: v.spawnKey) == v.assembled, "\(v.name)")
        let seq = SeedSequence(entropyWords: v.entropyWords, spawnKey: v.spawnKey)
        #expect(seq.pool == v.pool, "\(v.name)")
        #expect(seq.generateState64(4) == v.state64, "\(v.name)")
        #expect(Array(seq.generateState64(5).prefix(4)) == v.state64, "\(v.name): longer request, same prefix")
    }
}

@Test func integerSeedConvenienceMatchesVectorsThatFitInUInt64() throws {
    for v in try RNGVector.load() where v.entropyWords.count <= 2 && v.name != "entropy_list" {
        let seed = v.entropyWords.enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (32 * $1.offset)) }
        #expect(SeedSequence(seed: seed, spawnKey: v.spawnKey).pool == v.pool, "\(v.name)")
    }
}

@Test func pcg64MatchesEveryVector() throws {
    for v in try RNGVector.load() {
        var rng = PCG64(SeedSequence(entropyWords: v.entropyWords, spawnKey: v.spawnKey))
        #expect(rng.state == v.pcgState, "\(v.name)")
        #expect(rng.inc == v.pcgInc, "\(v.name)")
        if let delta = v.advance {
            rng.advance(by: delta)
            #expect(rng.state == v.stateAfterAdvance, "\(v.name)")
            #expect(rng.inc == v.pcgInc, "\(v.name): advance keeps inc")
        }
        var doubles = rng
        #expect((0..<4).map { _ in rng.next() } == v.firstU64, "\(v.name)")
        #expect((0..<4).map { _ in doubles.nextDouble().bitPattern } == v.firstF64Bits, "\(v.name)")
    }
}

@Test func advanceEqualsDrawingOneByOne() throws {
    let v = try #require(try RNGVector.load().first { $0.advance != nil })
    var stepped = PCG64(SeedSequence(entropyWords: v.entropyWords, spawnKey: v.spawnKey))
    var jumped = stepped
    for _ in 0..<1000 { _ = stepped.next() }
    jumped.advance(by: 1000)
    #expect(jumped == stepped)
    jumped.advance(by: 0 &- 1000)
    stepped = PCG64(SeedSequence(entropyWords: v.entropyWords, spawnKey: v.spawnKey))
    #expect(jumped == stepped, "advance by -1000 (mod 2^128) walks back")
}
