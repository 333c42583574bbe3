// Kernels that compute on float values: inverted dropout (`keep ? x * s : fill`) and alpha
// dropout (`keep ? a * x + b : dropped`). Each loop is branch-free (the keep flag selects the
// result word) so the compiler can vectorise it; `O` swaps bytes for the other byte order.
// `fill`/`dropped` words are already in memory byte order.

/// Real element `i` becomes `x * scale` (rounded in `F`) if kept, else the `fill` word.
@inline(__always)
func scaleReal<F: KernelFloat, O: ElementByteOrder>(
    _ base: UnsafeMutableRawPointer, keep: UnsafePointer<UInt8>, count: Int,
    scale: F, fill: F.Bits, order: O.Type
) {
    let size = MemoryLayout<F.Bits>.size
    for i in 0..<count {
        let raw = base.loadUnaligned(fromByteOffset: i &* size, as: F.Bits.self)
        let y = O.toMemory((F(bitPattern: O.toHost(raw)) * scale).bitPattern)
        base.storeBytes(of: keep[i] != 0 ? y : fill, toByteOffset: i &* size, as: F.Bits.self)
    }
}

/// Complex element `i`: real and imaginary part each become `part * scale` if kept, else the
/// element becomes `(fillReal, fillImag)`.
@inline(__always)
func scaleComplex<F: KernelFloat, O: ElementByteOrder>(
    _ base: UnsafeMutableRawPointer, keep: UnsafePointer<UInt8>, count: Int,
    scale: F, fillReal: F.Bits, fillImag: F.Bits, order: O.Type
) {
    let size = MemoryLayout<F.Bits>.size
    for i in 0..<count {
        let offset = i &* (2 &* size)
        let kept = keep[i] != 0
        let re = base.loadUnaligned(fromByteOffset: offset, as: F.Bits.self)
        let im = base.loadUnaligned(fromByteOffset: offset &+ size, as: F.Bits.self)
        let yr = O.toMemory((F(bitPattern: O.toHost(re)) * scale).bitPattern)
        let yi = O.toMemory((F(bitPattern: O.toHost(im)) * scale).bitPattern)
        base.storeBytes(of: kept ? yr : fillReal, toByteOffset: offset, as: F.Bits.self)
        base.storeBytes(of: kept ? yi : fillImag, toByteOffset: offset &+ size, as: F.Bits.self)
    }
}

/// Real element `i` becomes `a * x + b` (multiply rounded in `F`, then add rounded in `F`,
/// never fused) if kept, else the `dropped` word (`a * alpha_p + b`, computed the same way).
@inline(__always)
func alphaReal<F: KernelFloat, O: ElementByteOrder>(
    _ base: UnsafeMutableRawPointer, keep: UnsafePointer<UInt8>, count: Int,
    a: F, b: F, dropped: F.Bits, order: O.Type
) {
    let size = MemoryLayout<F.Bits>.size
    for i in 0..<count {
        let raw = base.loadUnaligned(fromByteOffset: i &* size, as: F.Bits.self)
        let product = a * F(bitPattern: O.toHost(raw))
        let y = O.toMemory((product + b).bitPattern)
        base.storeBytes(of: keep[i] != 0 ? y : dropped, toByteOffset: i &* size, as: F.Bits.self)
    }
}
