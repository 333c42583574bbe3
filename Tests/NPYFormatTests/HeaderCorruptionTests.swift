import Testing

@testable import NPYFormat

/// Corrupt variants of valid headers, made here: every truncation and every byte flip
/// must give a typed error or a valid header, never a trap or a hang.
@Suite struct HeaderCorruptionTests {
    static let samples: [[UInt8]] = [
        NPYHeaderEncoder.encode(
            dtype: DType(kind: .float, itemSize: 4, byteOrder: .little), fortranOrder: false, shape: [2, 3]),
        NPYHeaderEncoder.encode(
            dtype: DType(kind: .complex, itemSize: 16, byteOrder: .big), fortranOrder: true, shape: [2, 3, 4]),
        NPYHeaderEncoder.encode(
            dtype: DType(kind: .bool, itemSize: 1, byteOrder: .notApplicable), fortranOrder: false, shape: []),
        HeaderBytes.file("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (2L,)}", version: .v2),
        HeaderBytes.file("{\"shape\":(1,2),\"descr\":\"<u1\",\"fortran_order\":True}", version: .v3),
    ]

    @Test func everyTruncationThrowsATypedError() {
        for (sampleIndex, sample) in Self.samples.enumerated() {
            for length in 0..<sample.count {
                let result = HeaderBytes.parse(bytes: Array(sample.prefix(length)))
                #expect(result.failure != nil, "sample \(sampleIndex) cut at \(length) parsed")
            }
        }
    }

    @Test func truncationInsideThePreambleOrTextNamesTheSection() {
        let sample = Self.samples[0]
        for length in 0..<10 {
            #expect(
                HeaderBytes.parse(bytes: Array(sample.prefix(length))).failure
                    == .truncated(section: .preamble, expected: 10, found: length))
        }
        for length in 10..<sample.count {
            #expect(
                HeaderBytes.parse(bytes: Array(sample.prefix(length))).failure
                    == .truncated(section: .header, expected: sample.count - 10, found: length - 10))
        }
    }

    @Test func everyByteFlipGivesAnErrorOrAHeader() {
        for sample in Self.samples {
            for index in sample.indices {
                for mask: UInt8 in [0x01, 0x20, 0x80, 0xFF] {
                    var corrupt = sample
                    corrupt[index] ^= mask
                    // Any outcome but a trap is acceptable; a header that parses must be self-consistent.
                    if let header = HeaderBytes.parse(bytes: corrupt).success {
                        #expect(header.dataOffset <= corrupt.count)
                        #expect(header.shape.allSatisfy { $0 >= 0 })
                        #expect((try? ArraySize.byteCount(shape: header.shape, itemSize: header.dtype.itemSize)) != nil)
                    }
                }
            }
        }
    }

    @Test func randomGarbageHeadersNeverTrap() {
        var generator = SplitMix64(seed: 42)
        let alphabet = Array("{}()[]:,'\" \n0123456789-LTrueFalsNoe<>|f4uib".utf8)
        var refused = 0
        for round in 0..<3000 {
            let length = Int(generator.next() % 80)
            let text = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            let file = HeaderBytes.file(bytes: text)
            switch HeaderBytes.parse(bytes: file) {
            case .failure:
                refused += 1
            case .success(let header):
                // A garbage text that parses must still describe a possible array.
                #expect(header.dataOffset == file.count, "round \(round)")
                #expect(header.shape.allSatisfy { $0 >= 0 }, "round \(round)")
                #expect(
                    (try? ArraySize.byteCount(shape: header.shape, itemSize: header.dtype.itemSize)) != nil,
                    "round \(round)")
            }
        }
        // Random text over this alphabet is almost never a header: the parser must say so.
        #expect(refused > 2900, "\(refused) of 3000 garbage headers refused")
    }
}

/// Small deterministic generator for test inputs.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
