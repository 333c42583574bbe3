import NPYFormat

/// The element transform of Keras 3's dropout for one array (`--rng keras-numpy|keras-jax`),
/// built once and applied per chunk. `keep_prob = 1 - rate` (float64); `T` the array's dtype.
///
/// - NumPy backend, op `keras.random.dropout`: `where(keep, (x / keep_prob).astype(T), 0)` —
///   floats divided in `T` by `T(keep_prob)` (NumPy 2 casts the Python float to `T`);
///   integers divided in float64 and cast back by truncation (out-of-range quotients as NumPy's
///   array cast gives them on x86-64); bool stays `keep && x`.
/// - JAX backend, op (on the NumPy array read from the file): the NumPy division for `f2` and
///   `f4`; `f8` is divided in float64 and the result rounded to float32 (JAX without x64 turns
///   it into a float32 array). Integer and bool inputs: Keras fails (`lax.select` dtypes), so
///   npdrop refuses them.
/// - `layer` (`keras.layers.Dropout` & co.): floating inputs are first cast to float32 (the
///   default dtype policy), then the NumPy backend divides by `float32(keep_prob)` and the JAX
///   backend (XLA on CPU) multiplies by `1 / float32(keep_prob)` computed in float32.
/// - `rate == 0`: the op returns its input; the layer its (cast) input. `rate == 1`: zeros of
///   the result dtype. Complex dtypes are refused.
///
/// The result dtype (`outputDType`) is float32 where Keras makes it so (a layer on any float
/// input, the JAX op on `f8` with `rate > 0`), keeping the input's byte order.
public struct KerasKernel: Sendable {
    /// The element type read.
    public let inputDType: DType
    /// The element type written (same byte order as the input).
    public let outputDType: DType
    private let op: Op

    /// The transform for `dtype`. Throws `DropoutError.kerasDType` for complex dtypes, and for
    /// integer and bool dtypes under the JAX backend; `DropoutError.invalidRate` for a bad rate.
    public init(dtype: DType, rng: RandomStreamKind, layer: Bool, rate: Double) throws(DropoutError) {
        precondition(rng.isKeras, "KerasKernel is for the Keras streams")
        guard DropoutRate.isValid(rate) else { throw .invalidRate(rate) }
        inputDType = dtype
        let keepProb = 1.0 - rate
        let float32 = DType(
            kind: .float, itemSize: 4, byteOrder: dtype.itemSize == 4 ? dtype.byteOrder : Self.order(of: dtype))
        switch dtype.kind {
        case .complex:
            throw .kerasDType(
                rng, dtype, reason: "complex inputs are not supported (Keras divides them by a complex keep_prob)")
        case .bool, .signedInteger, .unsignedInteger:
            if rng == .kerasJAX {
                throw .kerasDType(
                    rng, dtype, reason: "Keras's JAX dropout fails on non-float inputs (lax.select needs one dtype)")
            }
            outputDType = dtype
            if rate == 0 {
                op = .identity
            } else if rate == 1 {
                op = .zeros
            } else {
                op = dtype.kind == .bool ? .select : .integer(keepProb)
            }
        case .float:
            guard [2, 4, 8].contains(dtype.itemSize) else {
                throw .kerasDType(rng, dtype, reason: "only f2, f4 and f8 are floats Keras handles")
            }
            if layer {
                outputDType = float32
                if rate == 0 {
                    op = dtype.itemSize == 4 ? .identity : .toFloat
                } else if rate == 1 {
                    op = .zeros
                } else if rng == .kerasNumPy {
                    op = .floatDivide(Float(keepProb))
                } else {
                    op = .floatMultiply(Float(1) / Float(keepProb))
                }
            } else if rng == .kerasJAX && dtype.itemSize == 8 && rate > 0 {
                outputDType = float32
                op = rate == 1 ? .zeros : .doubleDivideToFloat(keepProb)
            } else {
                outputDType = dtype
                if rate == 0 { op = .identity } else if rate == 1 { op = .zeros } else { op = .divide(keepProb) }
            }
        }
    }

    private static func order(of dtype: DType) -> ByteOrder {
        dtype.byteOrder == .notApplicable ? .host : dtype.byteOrder
    }

    /// True when `apply` leaves the bytes as they are (same dtype, `rate == 0`).
    public var isIdentity: Bool {
        if case .identity = op { return true }
        return false
    }

    /// True when the keep flags do not matter (`rate` 0 or 1).
    public var ignoresKeepFlags: Bool {
        switch op {
        case .identity, .toFloat, .zeros: return true
        default: return false
        }
    }

    /// The larger of the two item sizes: a chunk buffer must hold `count` of these.
    public var chunkItemSize: Int { max(inputDType.itemSize, outputDType.itemSize) }

    /// Transforms `count` elements: reads them (input dtype) from the start of `bytes` and
    /// writes the results (output dtype) over them from the start; returns the bytes written
    /// (`count * outputDType.itemSize`). Traps when `bytes` is shorter than
    /// `count * chunkItemSize` or `keep` shorter than `count` (caller bugs).
    public func apply(_ bytes: UnsafeMutableRawBufferPointer, count: Int, keep: UnsafeBufferPointer<UInt8>) -> Int {
        precondition(
            bytes.count >= count &* chunkItemSize && keep.count >= count, "chunk too small for the Keras kernel")
        let written = count &* outputDType.itemSize
        guard count > 0, let base = bytes.baseAddress, let flags = keep.baseAddress else { return written }
        if inputDType.needsSwap {
            run(base, count, flags, SwappedByteOrder.self)
        } else {
            run(base, count, flags, HostByteOrder.self)
        }
        return written
    }

    private func run<B: ElementByteOrder>(
        _ base: UnsafeMutableRawPointer, _ n: Int, _ keep: UnsafePointer<UInt8>, _ order: B.Type
    ) {
        let size = inputDType.itemSize
        switch op {
        case .identity:
            return
        case .zeros:
            base.initializeMemory(as: UInt8.self, repeating: 0, count: n &* outputDType.itemSize)
        case .select:
            mapElements(base, n, keep, B.self) { (x: UInt8) -> UInt8 in x }
        case .integer(let kp):
            switch (inputDType.kind, size) {
            case (.signedInteger, 1):
                mapElements(base, n, keep, B.self) { (x: Int8) -> Int8 in numpySmallCast(Double(x) / kp) }
            case (.signedInteger, 2):
                mapElements(base, n, keep, B.self) { (x: Int16) -> Int16 in numpySmallCast(Double(x) / kp) }
            case (.signedInteger, 4):
                mapElements(base, n, keep, B.self) { (x: Int32) -> Int32 in numpySmallCast(Double(x) / kp) }
            case (.signedInteger, _):
                mapElements(base, n, keep, B.self) { (x: Int64) -> Int64 in numpyInt64Cast(Double(x) / kp) }
            case (_, 1): mapElements(base, n, keep, B.self) { (x: UInt8) -> UInt8 in numpySmallCast(Double(x) / kp) }
            case (_, 2): mapElements(base, n, keep, B.self) { (x: UInt16) -> UInt16 in numpySmallCast(Double(x) / kp) }
            case (_, 4):
                mapElements(base, n, keep, B.self) { (x: UInt32) -> UInt32 in numpyUnsignedCast(Double(x) / kp) }
            default: mapElements(base, n, keep, B.self) { (x: UInt64) -> UInt64 in numpyUnsignedCast(Double(x) / kp) }
            }
        case .divide(let kp):
            switch size {
            case 2:
                let divisor = Float(Float16(kp))
                mapElements(base, n, keep, B.self) { (x: UInt16) -> UInt16 in floatToHalfBits(halfToFloat(x) / divisor)
                }
            case 4:
                let divisor = Float(kp)
                mapElements(base, n, keep, B.self) { (x: UInt32) -> UInt32 in
                    (Float(bitPattern: x) / divisor).bitPattern
                }
            default:
                mapElements(base, n, keep, B.self) { (x: UInt64) -> UInt64 in (Double(bitPattern: x) / kp).bitPattern }
            }
        case .doubleDivideToFloat(let kp):
            mapElements(base, n, keep, B.self) { (x: UInt64) -> UInt32 in Float(Double(bitPattern: x) / kp).bitPattern }
        case .toFloat:
            switch size {
            case 2: mapAll(base, n, B.self) { (x: UInt16) -> UInt32 in halfToFloat(x).bitPattern }
            default: mapAll(base, n, B.self) { (x: UInt64) -> UInt32 in Float(Double(bitPattern: x)).bitPattern }
            }
        case .floatDivide(let divisor):
            toFloatKept(base, n, keep, B.self) { $0 / divisor }
        case .floatMultiply(let factor):
            toFloatKept(base, n, keep, B.self) { $0 * factor }
        }
    }

    /// Kept elements cast to float32 and `transform`ed, dropped ones +0 (a layer on floats).
    private func toFloatKept<B: ElementByteOrder>(
        _ base: UnsafeMutableRawPointer, _ n: Int, _ keep: UnsafePointer<UInt8>, _ order: B.Type,
        _ transform: (Float) -> Float
    ) {
        switch inputDType.itemSize {
        case 2: mapElements(base, n, keep, B.self) { (x: UInt16) -> UInt32 in transform(halfToFloat(x)).bitPattern }
        case 4:
            mapElements(base, n, keep, B.self) { (x: UInt32) -> UInt32 in transform(Float(bitPattern: x)).bitPattern }
        default:
            mapElements(base, n, keep, B.self) { (x: UInt64) -> UInt32 in
                transform(Float(Double(bitPattern: x))).bitPattern
            }
        }
    }
}

/// What `KerasKernel.apply` does, decided once per array.
private enum Op: Sendable {
    case identity
    /// Result all zeros (`rate == 1`).
    case zeros
    /// bool: `keep && x`.
    case select
    /// Integers: `keep ? cast(float64(x) / keepProb) : 0`.
    case integer(Double)
    /// Floats in their own dtype: `keep ? x / T(keepProb) : 0`.
    case divide(Double)
    /// f8 → f4: `keep ? float32(x / keepProb) : 0`.
    case doubleDivideToFloat(Double)
    /// Layer at rate 0: `float32(x)`.
    case toFloat
    /// Layer, NumPy backend: `keep ? float32(x) / divisor : 0`.
    case floatDivide(Float)
    /// Layer, JAX backend: `keep ? float32(x) * factor : 0`.
    case floatMultiply(Float)
}

/// Element `i` (input word `I` at `i * I.size`) becomes `transform(x)` (output word `O` at
/// `i * O.size`) when kept, else all-zero bits; in place, walking forward when the output is not
/// wider and backward when it is, so no input is overwritten before it is read.
@inline(__always)
private func mapElements<I: FixedWidthInteger, O: FixedWidthInteger, B: ElementByteOrder>(
    _ base: UnsafeMutableRawPointer, _ n: Int, _ keep: UnsafePointer<UInt8>, _ order: B.Type, _ transform: (I) -> O
) {
    let inSize = MemoryLayout<I>.size
    let outSize = MemoryLayout<O>.size
    @inline(__always) func one(_ i: Int) {
        let raw = base.loadUnaligned(fromByteOffset: i &* inSize, as: I.self)
        let y = keep[i] != 0 ? B.toMemory(transform(B.toHost(raw))) : 0
        base.storeBytes(of: y, toByteOffset: i &* outSize, as: O.self)
    }
    if outSize <= inSize {
        for i in 0..<n { one(i) }
    } else {
        for i in (0..<n).reversed() { one(i) }
    }
}

/// `mapElements` for every element, ignoring keep flags.
@inline(__always)
private func mapAll<I: FixedWidthInteger, O: FixedWidthInteger, B: ElementByteOrder>(
    _ base: UnsafeMutableRawPointer, _ n: Int, _ order: B.Type, _ transform: (I) -> O
) {
    let inSize = MemoryLayout<I>.size
    let outSize = MemoryLayout<O>.size
    @inline(__always) func one(_ i: Int) {
        let raw = base.loadUnaligned(fromByteOffset: i &* inSize, as: I.self)
        base.storeBytes(of: B.toMemory(transform(B.toHost(raw))), toByteOffset: i &* outSize, as: O.self)
    }
    if outSize <= inSize {
        for i in 0..<n { one(i) }
    } else {
        for i in (0..<n).reversed() { one(i) }
    }
}

// NumPy's float64 → integer casts, as its array casts behave on x86-64 (C leaves an
// out-of-range conversion undefined; NumPy warns "invalid value encountered in cast" for some):
// types up to 32 bits convert through int32 (`cvttsd2si`: out of range gives INT32_MIN) and keep
// the low bits; int64 gives INT64_MIN out of range; uint32 and uint64 give 0 out of range.
// Quotients here are finite (an integer divided by a keep_prob in (0, 1)).

@inline(__always)
private func numpySmallCast<T: FixedWidthInteger>(_ q: Double) -> T {
    let wide: Int32 = (q > -2147483649.0 && q < 2147483648.0) ? Int32(q) : Int32.min
    return T(truncatingIfNeeded: wide)
}

@inline(__always)
private func numpyInt64Cast(_ q: Double) -> Int64 {
    (q >= -0x1p63 && q < 0x1p63) ? Int64(q) : Int64.min
}

@inline(__always)
private func numpyUnsignedCast<T: FixedWidthInteger & UnsignedInteger>(_ q: Double) -> T {
    (q > -1 && q < Double(sign: .plus, exponent: T.bitWidth, significand: 1)) ? T(q) : 0
}
