// Kernels that never compute on values: kept elements keep their bytes, dropped elements (or
// all elements) get a fixed pattern. Used for bool, integers, unscaled floats and complex, and
// rate 1. A word `W` is one lane; an element is one lane, or two for complex (real, imag).
// `fill` words are already in memory byte order. Element addresses need not be aligned.

/// Element `i` (one lane) becomes `fill` where `keep[i] == 0`; other bytes are unchanged.
@inline(__always)
func selectLanes<W: FixedWidthInteger>(
    _ base: UnsafeMutableRawPointer, keep: UnsafePointer<UInt8>, count: Int, fill: W
) {
    let size = MemoryLayout<W>.size
    for i in 0..<count {
        let x = base.loadUnaligned(fromByteOffset: i &* size, as: W.self)
        base.storeBytes(of: keep[i] != 0 ? x : fill, toByteOffset: i &* size, as: W.self)
    }
}

/// Element `i` (two lanes) becomes `(fill0, fill1)` where `keep[i] == 0`.
@inline(__always)
func selectLanePairs<W: FixedWidthInteger>(
    _ base: UnsafeMutableRawPointer, keep: UnsafePointer<UInt8>, count: Int, fill0: W, fill1: W
) {
    let size = MemoryLayout<W>.size
    for i in 0..<count {
        let offset = i &* (2 &* size)
        let kept = keep[i] != 0
        let x0 = base.loadUnaligned(fromByteOffset: offset, as: W.self)
        let x1 = base.loadUnaligned(fromByteOffset: offset &+ size, as: W.self)
        base.storeBytes(of: kept ? x0 : fill0, toByteOffset: offset, as: W.self)
        base.storeBytes(of: kept ? x1 : fill1, toByteOffset: offset &+ size, as: W.self)
    }
}

/// Every one of `lanes` lanes becomes `fill0`, `fill1`, `fill0`, ... (period `period`, 1 or 2).
@inline(__always)
func fillLanes<W: FixedWidthInteger>(
    _ base: UnsafeMutableRawPointer, lanes: Int, period: Int, fill0: W, fill1: W
) {
    let size = MemoryLayout<W>.size
    if period == 1 || fill0 == fill1 {
        for i in 0..<lanes {
            base.storeBytes(of: fill0, toByteOffset: i &* size, as: W.self)
        }
    } else {
        for i in 0..<lanes {
            base.storeBytes(of: i & 1 == 0 ? fill0 : fill1, toByteOffset: i &* size, as: W.self)
        }
    }
}
