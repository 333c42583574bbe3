import Testing

@testable import DropoutEngine

/// The branch-free half conversions agree bit for bit with Swift's `Float16` conversions.
@Test func halfToFloatIsExactForEveryHalf() {
    var mismatches = 0
    for bits in 0...UInt16.max {
        let expected = Float(Float16(bitPattern: bits)).bitPattern
        if halfToFloat(bits).bitPattern != expected {
            if mismatches < 5 {
                Issue.record("half \(bits): got \(halfToFloat(bits).bitPattern), expected \(expected)")
            }
            mismatches += 1
        }
    }
    #expect(mismatches == 0)
}

@Test func floatToHalfRoundsLikeFloat16AtEveryHalfwayPoint() {
    var mismatches = 0
    func check(_ value: Float) {
        let expected = Float16(value).bitPattern
        let got = floatToHalfBits(value)
        // NaN: both quiet, same payload bits; compare exactly.
        if got != expected {
            if mismatches < 5 { Issue.record("float \(value) (\(value.bitPattern)): got \(got), expected \(expected)") }
            mismatches += 1
        }
    }
    for bits in 0...UInt16.max {
        let h = Float(Float16(bitPattern: bits))
        let next = Float(Float16(bitPattern: bits).nextUp)
        check(h)
        guard h.isFinite, next.isFinite else { continue }
        let middle = h + (next - h) / 2  // exact in Float
        check(middle)
        check(middle.nextUp)
        check(middle.nextDown)
    }
    // Beyond the half range, float NaN payloads, and random floats.
    for value: Float in [
        65519.99, 65520, 70000, 1e30, .infinity, .greatestFiniteMagnitude, 1e-9, 2.9802322e-08, 2.9802326e-08,
    ] {
        check(value)
        check(-value)
    }
    for nan: UInt32 in [0x7FC0_0000, 0x7FC0_2000, 0x7FFF_FFFF, 0xFFC1_2345, 0x7FE0_0000] {
        check(Float(bitPattern: nan))
    }
    var random = KernelSplitMix(seed: 16)
    for _ in 0..<200_000 {
        check(Float(bitPattern: UInt32(truncatingIfNeeded: random.next())))
    }
    #expect(mismatches == 0)
}
