import DropoutEngine
import Foundation
import Testing

/// The C keep kernels (`RandomKernel`) against the Swift reference and live NumPy: random
/// states, every length 0–200 and random long ones, the rate edges, unaligned buffers with
/// guard bytes; and how `NPDROP_RNG_KERNEL` picks one.
@Suite struct RandomKernelTests {
    /// Rates at the edges: round ones, a repeating fraction, keep-all, keep-none, the smallest
    /// positive double below any draw, and the largest rate below 1.
    static let edgeRates: [Double] = [0.1, 0.5, 0.3333, 0, 1, 1e-300, 1 - 0x1p-53]
    static let guardByte: UInt8 = 0xA5
    static let guardCount = 64

    /// Runs `kernel` on `count` draws of `start` into a buffer at `offset` bytes past a 64-byte
    /// guard (and 64 guard bytes after), checks the guards, and returns the flags and end stream.
    static func fill(
        _ kernel: RandomKernel, _ start: PCG64, count: Int, rule: KeepRule, offset: Int
    ) -> ([UInt8], PCG64, Bool) {
        var buffer = [UInt8](repeating: guardByte, count: guardCount + offset + count + guardCount)
        var rng = start
        buffer.withUnsafeMutableBufferPointer { all in
            let flags = UnsafeMutableBufferPointer(rebasing: all[(guardCount + offset)..<(guardCount + offset + count)])
            rng.fillKeep(flags, rule: rule, kernel: kernel)
        }
        let guardsIntact =
            buffer[..<(guardCount + offset)].allSatisfy { $0 == guardByte }
            && buffer[(guardCount + offset + count)...].allSatisfy { $0 == guardByte }
        return (Array(buffer[(guardCount + offset)..<(guardCount + offset + count)]), rng, guardsIntact)
    }

    /// The Swift reference: flags and end stream.
    static func reference(_ start: PCG64, count: Int, rule: KeepRule) -> ([UInt8], PCG64) {
        var rng = start
        var flags = [UInt8](repeating: 0, count: count)
        flags.withUnsafeMutableBufferPointer { rng.referenceFillKeep($0, rule: rule) }
        return (flags, rng)
    }

    /// A random stream: any 128-bit state, any odd increment.
    static func randomStream(_ random: inout TestRandom) -> PCG64 {
        PCG64(state: random.next128(), inc: random.next128() | 1)
    }

    @Test func theScalarKernelIsAlwaysSupported() {
        #expect(RandomKernel.scalar.isSupported)
        #expect(RandomKernel.supported.first == .scalar)
        #expect(RandomKernel.supported.contains(RandomKernel.fastest))
    }

    @Test(arguments: RandomKernel.supported)
    func everyLengthUpTo200AtEveryRateEdgeMatchesTheReference(kernel: RandomKernel) throws {
        var random = TestRandom(seed: 0x15_0001 &+ UInt64(kernel.rawValue.count))
        for count in 0...200 {
            for rate in Self.edgeRates {
                let rule = try KeepRule(rate: rate)
                let start = Self.randomStream(&random)
                let offset = random.below(64)
                let (flags, end, guardsIntact) = Self.fill(kernel, start, count: count, rule: rule, offset: offset)
                let (expected, expectedEnd) = Self.reference(start, count: count, rule: rule)
                #expect(flags == expected, "\(kernel) count \(count) rate \(rate) offset \(offset)")
                #expect(end == expectedEnd, "\(kernel) count \(count) rate \(rate): end state")
                #expect(guardsIntact, "\(kernel) count \(count) rate \(rate) offset \(offset): guard bytes")
            }
        }
    }

    @Test(arguments: RandomKernel.supported)
    func randomLongRunsAndRatesMatchTheReference(kernel: RandomKernel) throws {
        var random = TestRandom(seed: 0x15_0002 &+ UInt64(kernel.rawValue.count))
        for index in 0..<40 {
            let count = 201 + random.below(index < 30 ? 5000 : 300_000)
            let rate = index < Self.edgeRates.count ? Self.edgeRates[index] : Double(random.next() >> 11) * 0x1p-53
            let rule = try KeepRule(rate: rate)
            let start = Self.randomStream(&random)
            let offset = random.below(64)
            let (flags, end, guardsIntact) = Self.fill(kernel, start, count: count, rule: rule, offset: offset)
            let (expected, expectedEnd) = Self.reference(start, count: count, rule: rule)
            #expect(flags == expected, "\(kernel) count \(count) rate \(rate) offset \(offset)")
            #expect(end == expectedEnd, "\(kernel) count \(count) rate \(rate): end state")
            #expect(guardsIntact, "\(kernel) count \(count) rate \(rate) offset \(offset): guard bytes")
        }
    }

    /// A fill split at random points ends where one fill ends and writes the same bytes.
    @Test(arguments: RandomKernel.supported)
    func consecutiveFillsContinueTheStream(kernel: RandomKernel) throws {
        var random = TestRandom(seed: 0x15_0003)
        let rule = try KeepRule(rate: 0.3333)
        let start = Self.randomStream(&random)
        let total = 20_000
        let (expected, expectedEnd) = Self.reference(start, count: total, rule: rule)
        var flags = [UInt8](repeating: 0, count: total)
        var rng = start
        var done = 0
        while done < total {
            let count = min(total - done, random.below(700))
            flags.withUnsafeMutableBufferPointer { all in
                rng.fillKeep(
                    UnsafeMutableBufferPointer(rebasing: all[done..<(done + count)]), rule: rule, kernel: kernel)
            }
            done += count
        }
        #expect(flags == expected)
        #expect(rng == expectedEnd)
    }

    /// A big fill split across threads writes the bytes of one fill and ends where it ends.
    @Test func aFillSplitAcrossThreadsEqualsOneFill() throws {
        var random = TestRandom(seed: 0x15_0005)
        let rule = try KeepRule(rate: 0.5)
        for count in [
            PCG64.splitKeepMinimumCount - 1, PCG64.splitKeepMinimumCount, PCG64.splitKeepMinimumCount + 12_345,
        ] {
            let start = Self.randomStream(&random)
            let (expected, expectedEnd) = Self.reference(start, count: count, rule: rule)
            for parts in [1, 2, 3, 7] {
                var rng = start
                var flags = [UInt8](repeating: 9, count: count)
                flags.withUnsafeMutableBufferPointer { rng.fillKeep($0, rule: rule, parts: parts) }
                #expect(flags == expected, "count \(count) parts \(parts)")
                #expect(rng == expectedEnd, "count \(count) parts \(parts): end state")
            }
        }
    }

    /// Every kernel against NumPy itself: `Generator(PCG64 with state s).random(n) >= rate`
    /// and the bit generator's state afterwards.
    @Test(.enabled(if: Reference.hasPython)) func everyKernelMatchesLiveNumPy() throws {
        var random = TestRandom(seed: 0x15_0004)
        var cases: [(start: PCG64, count: Int, rate: Double)] = []
        for count in 0...200 {
            cases.append((Self.randomStream(&random), count, Self.edgeRates[count % Self.edgeRates.count]))
        }
        for index in 0..<12 {
            let rate = index < Self.edgeRates.count ? Self.edgeRates[index] : Double(random.next() >> 11) * 0x1p-53
            cases.append((Self.randomStream(&random), 201 + random.below(100_000), rate))
        }
        let input: [[String]] = cases.map {
            [String($0.start.state), String($0.start.inc), String($0.count), "\($0.rate)"]
        }
        let script = """
            import json, sys, numpy as np
            out = []
            for state, inc, count, rate in json.load(open(sys.argv[1])):
                bg = np.random.PCG64()
                bg.state = {"bit_generator": "PCG64", "state": {"state": int(state), "inc": int(inc)},
                            "has_uint32": 0, "uinteger": 0}
                keep = np.random.Generator(bg).random(int(count)) >= float(rate)
                out.append([(keep.astype(np.uint8) + 48).tobytes().decode(), str(bg.state["state"]["state"])])
            print(json.dumps(out))
            """
        let answers = try #require(try Reference.json(try Reference.runPython(script, jsonInput: input)) as? [[String]])
        try #require(answers.count == cases.count)
        for kernel in RandomKernel.supported {
            for (c, answer) in zip(cases, answers) {
                let (flags, end, guardsIntact) = Self.fill(
                    kernel, c.start, count: c.count, rule: try KeepRule(rate: c.rate), offset: c.count % 61)
                #expect(
                    String(decoding: flags.map { $0 + 48 }, as: UTF8.self) == answer[0],
                    "\(kernel) count \(c.count) rate \(c.rate)")
                #expect(String(end.state) == answer[1], "\(kernel) count \(c.count) rate \(c.rate): end state")
                #expect(guardsIntact, "\(kernel) count \(c.count)")
            }
        }
    }

    @Test func theEnvironmentPicksAKernelOrNamesWhatTheCPURuns() throws {
        #expect(try RandomKernel.selected(byEnvironment: nil, supported: [.scalar, .avx2]) == .avx2)
        #expect(try RandomKernel.selected(byEnvironment: "", supported: [.scalar]) == .scalar)
        for kernel in RandomKernel.allCases {
            #expect(
                try RandomKernel.selected(byEnvironment: kernel.rawValue, supported: RandomKernel.allCases) == kernel)
        }
        #expect(throws: RandomKernelError.unsupported(.avx512ifma, supported: [.scalar, .avx2])) {
            try RandomKernel.selected(byEnvironment: "avx512ifma", supported: [.scalar, .avx2])
        }
        let unsupported = RandomKernelError.unsupported(.avx512ifma, supported: [.scalar, .avx2])
        #expect(unsupported.description == "NPDROP_RNG_KERNEL=avx512ifma: this CPU cannot run it; it runs scalar, avx2")
        #expect(throws: RandomKernelError.unknown("AVX2")) {
            try RandomKernel.selected(byEnvironment: "AVX2", supported: RandomKernel.allCases)
        }
        let unknown = RandomKernelError.unknown("x\ny\u{1B}[0m")
        #expect(!unknown.description.contains("\n") && !unknown.description.contains("\u{1B}"))
        #expect(unknown.description.hasSuffix("expected scalar, avx2 or avx512ifma"))
    }

    /// The kernel in use is the one the environment asks for (CI forces each in turn).
    @Test func theActiveKernelIsTheOneTheEnvironmentNames() throws {
        let chosen = try RandomKernel.checkEnvironment()
        #expect(RandomKernel.active == chosen)
        if ProcessInfo.processInfo.environment[RandomKernel.environmentVariable] == nil {
            #expect(chosen == RandomKernel.fastest)
        }
    }
}
