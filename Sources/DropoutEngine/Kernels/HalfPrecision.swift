// Float16 kernels computed in Float with branch-free conversions, so the loops vectorise
// instead of calling the compiler runtime's half conversions per element. Results are the
// correctly rounded Float16 results: a product of two halves is exact in Float, and a Float
// sum rounded to Float then to half rounds as if once (24 >= 2*11 + 2) — which is also how
// NumPy computes float16 arithmetic.

/// The exact Float value of the half with bits `h`; a NaN keeps its payload and comes out
/// quiet (as the compiler runtime's conversion does). No arithmetic on subnormal floats.
@inline(__always)
func halfToFloat(_ h: UInt16) -> Float {
    let exponent = h & 0x7C00
    let shifted = UInt32(h & 0x7FFF) << 13
    let normal = shifted &+ (112 << 23)  // rebias 15 -> 127
    let subnormal = (Float(Int32(h & 0x3FF)) * 0x1p-24).bitPattern  // m * 2^-24, exact
    let special = shifted | (h & 0x3FF != 0 ? 0x7FC0_0000 : 0x7F80_0000)  // inf, quiet NaN
    var bits = exponent == 0 ? subnormal : normal
    bits = exponent == 0x7C00 ? special : bits
    return Float(bitPattern: bits | (UInt32(h & 0x8000) << 16))
}

/// The bits of `value` rounded to the nearest half (ties to even); overflow gives ±inf, NaN
/// gives a quiet NaN keeping the top payload bits (as the compiler runtime does).
@inline(__always)
func floatToHalfBits(_ value: Float) -> UInt16 {
    let bits = value.bitPattern
    let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
    let magnitude = bits & 0x7FFF_FFFF
    // Normal result: rebias the exponent, round at bit 13 to nearest even.
    let odd = (magnitude >> 13) & 1
    let normal = UInt16(truncatingIfNeeded: (magnitude &- (112 << 23) &+ 0xFFF &+ odd) >> 13)
    // Subnormal result (|x| < 2^-14): adding 0.5 makes the FPU round at the half's last place.
    let half: UInt32 = 126 << 23
    let subnormal = UInt16(
        truncatingIfNeeded: (Float(bitPattern: magnitude) + Float(bitPattern: half)).bitPattern &- half)
    let nan = 0x7E00 | UInt16(truncatingIfNeeded: (magnitude & 0x7F_FFFF) >> 13)
    var result = magnitude < (113 << 23) ? subnormal : normal
    result = magnitude >= (143 << 23) ? 0x7C00 : result
    result = magnitude > 0x7F80_0000 ? nan : result
    return result | sign
}

/// All ones when `flag != 0`, else 0, without a branch. (A `?:` here lets the optimiser turn
/// the costly conversion into a branch, which stops the loop from vectorising.)
@inline(__always)
func keptMask(_ flag: UInt8) -> UInt16 {
    0 &- ((UInt16(flag) &+ 255) &>> 8)
}

/// Half element `i` becomes `x * scale` rounded to half if kept, else the `fill` word.
/// `scale` is a half value held exactly in a Float.
@inline(__always)
func scaleHalf<O: ElementByteOrder>(
    _ base: UnsafeMutableRawPointer, keep: UnsafePointer<UInt8>, count: Int,
    scale: Float, fill: UInt16, order: O.Type
) {
    for i in 0..<count {
        let raw = base.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self)
        let y = O.toMemory(floatToHalfBits(halfToFloat(O.toHost(raw)) * scale))
        let mask = keptMask(keep[i])
        base.storeBytes(of: (y & mask) | (fill & ~mask), toByteOffset: i &* 2, as: UInt16.self)
    }
}

/// Half element `i` becomes `a * x + b` (each operation rounded to half) if kept, else the
/// `dropped` word. `a` and `b` are half values held exactly in Floats.
@inline(__always)
func alphaHalf<O: ElementByteOrder>(
    _ base: UnsafeMutableRawPointer, keep: UnsafePointer<UInt8>, count: Int,
    a: Float, b: Float, dropped: UInt16, order: O.Type
) {
    for i in 0..<count {
        let raw = base.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self)
        let product = halfToFloat(floatToHalfBits(a * halfToFloat(O.toHost(raw))))
        let y = O.toMemory(floatToHalfBits(product + b))
        let mask = keptMask(keep[i])
        base.storeBytes(of: (y & mask) | (dropped & ~mask), toByteOffset: i &* 2, as: UInt16.self)
    }
}
