import Testing

@testable import DropoutEngine

/// The pieces of `--rng keras-numpy|keras-jax` that need no Python: threefry's known answers,
/// the JAX keep threshold, and Keras's NumPy keep rule under every keep kernel.
@Suite struct KerasStreamTests {
    @Test func threefryKnownAnswers() {
        // Random123's known-answer vectors for threefry2x32, 20 rounds.
        let cases: [((UInt32, UInt32), (UInt32, UInt32), (UInt32, UInt32))] = [
            ((0, 0), (0, 0), (0x6B20_0159, 0x99BA_4EFE)),
            ((0xFFFF_FFFF, 0xFFFF_FFFF), (0xFFFF_FFFF, 0xFFFF_FFFF), (0x1CB9_96FC, 0xBB00_2BE7)),
            ((0x1319_8A2E, 0x0370_7344), (0x243F_6A88, 0x85A3_08D3), (0xC492_3A9C, 0x483D_F7A0)),
        ]
        for (key, counter, expected) in cases {
            let out = Threefry2x32(key0: key.0, key1: key.1).hash(counter.0, counter.1)
            #expect(out.0 == expected.0 && out.1 == expected.1, "key \(key) counter \(counter)")
        }
    }

    @Test func jaxThresholdIsTheFloat32KeepProbability() {
        #expect(JAXBernoulliKeep(seed: 0, call: 0, rate: 0).threshold == 1 << 23)
        #expect(JAXBernoulliKeep(seed: 0, call: 0, rate: 1).threshold == 0)
        #expect(JAXBernoulliKeep(seed: 0, call: 0, rate: 0.5).threshold == 1 << 22)
        // float32(0.7) = 0.699999988079071 = 11744051 * 2^-24, so 0.7 * 2^23 rounds up to 5872026.
        #expect(JAXBernoulliKeep(seed: 0, call: 0, rate: 0.3).threshold == 5_872_026)
    }

    @Test func kerasNumPyRuleUnderEveryKernel() throws {
        for rate in [0.0, 0.1, 0.3, 0.5, 0.77, 1.0] {
            let rule = try KeepRule(kerasRate: rate)
            let stream = PCG64(SeedSequence(entropyWords: [7, 2], spawnKey: []))
            var expected = [UInt8](repeating: 9, count: 203)
            var reference = stream
            expected.withUnsafeMutableBufferPointer { reference.referenceFillKeep($0, rule: rule) }
            var check = stream
            for (i, flag) in expected.enumerated() {
                #expect(flag == (check.nextDouble() < 1.0 - rate ? 1 : 0), "rate \(rate) draw \(i)")
            }
            for kernel in RandomKernel.supported {
                var rng = stream
                var got = [UInt8](repeating: 9, count: 203)
                got.withUnsafeMutableBufferPointer { rng.fillKeep($0, rule: rule, kernel: kernel) }
                #expect(got == expected, "rate \(rate) kernel \(kernel)")
                #expect(rng == reference, "rate \(rate) kernel \(kernel): end state")
            }
        }
    }

    @Test func kerasOptionsAreChecked() {
        var options = DropoutOptions(rate: 0.5, seed: 1 << 32)
        options.rng = .kerasJAX
        #expect(throws: DropoutError.kerasSeedTooLarge(1 << 32)) { try options.validate() }
        var orphan = DropoutOptions(rate: 0.5, seed: 1)
        orphan.kerasLayer = true
        #expect(throws: DropoutError.kerasOptionsNeedKerasStream) { try orphan.validate() }
    }
}
