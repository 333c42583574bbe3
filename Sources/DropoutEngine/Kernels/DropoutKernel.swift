import NPYFormat

/// The element transform of contract §3.3 for one array, built once and applied per chunk.
///
/// Semantics, with `T` the element type and `keep` the broadcast keep flag of an element:
/// - float (`f2 f4 f8`): `keep ? x * T(1/(1-rate)) : fill` — scale computed in float64, rounded
///   once to `T`, multiplied in `T`; `fill` is `+0.0` unless `--fill` is given. With
///   `scale == false` (`--no-scale`) kept elements keep their bytes.
/// - complex (`c8 c16`): each part multiplied by the real scale; dropped is `fill + 0j`.
/// - integer and bool: `keep ? x : fill`, no scaling.
/// - alpha (`f2 f4 f8`, `rate < 1`): `T(a) * (keep ? x : T(alpha_p)) + T(b)`, multiply and
///   add each rounded in `T`.
/// - `rate == 0`: every element keeps its bytes whatever the flags say (NaN payloads included).
/// - `rate == 1` (standard): every element becomes `fill` whatever the flags say.
public struct DropoutKernel: Sendable {
    /// The element type, byte order included, of the bytes `apply` transforms.
    public let dtype: DType
    public let mode: DropoutMode
    public let rate: Double
    /// False for `--no-scale`.
    public let scale: Bool
    public let fill: FillValue?

    private let plan: Plan
    private let layout: ElementLayout

    /// Validates the options for `dtype` and precomputes the transform.
    /// Throws `DropoutKernelError` for a rate outside `[0, 1]`, an unsupported dtype, alpha
    /// dropout on a non-real-float dtype or with `rate == 1`, `--fill` or `--no-scale`, or a
    /// fill value `dtype` cannot hold.
    public init(
        dtype: DType, mode: DropoutMode = .standard, rate: Double, scale: Bool = true, fill: FillValue? = nil
    ) throws(DropoutKernelError) {
        guard DropoutRate.isValid(rate) else { throw .rateOutOfRange(rate) }
        guard let layout = ElementLayout(dtype) else { throw .unsupportedDType(dtype) }
        self.dtype = dtype
        self.mode = mode
        self.rate = rate
        self.scale = scale
        self.fill = fill
        self.layout = layout
        let swap = dtype.needsSwap

        switch mode {
        case .alpha:
            guard layout.isRealFloat else { throw .alphaNeedsRealFloat(dtype) }
            guard rate < 1 else { throw .alphaRateOne }
            guard fill == nil else { throw .alphaWithFill }
            guard scale else { throw .alphaWithoutScale }
            plan = rate == 0 ? .identity : .alpha(AlphaDropoutCoefficients(rate: rate))
        case .standard:
            let pattern = try FillPattern(fill ?? .signed(0), layout: layout, dtype: dtype, swap: swap)
            if rate == 0 {
                plan = .identity
            } else if rate == 1 {
                plan = .fillAll(pattern)
            } else if scale && layout.isFloatOrComplex {
                plan = .scale(1.0 / (1.0 - rate), pattern)
            } else {
                plan = .select(pattern)
            }
        }
    }

    /// True when `apply` leaves every element's bytes as they are (`rate == 0`), so a caller
    /// may skip it.
    public var isIdentity: Bool {
        if case .identity = plan { return true }
        return false
    }

    /// True when the values of the keep flags do not change what `apply` writes (`rate` 0 or
    /// 1), so a caller may pass any flags (e.g. zeros) without mapping noise to elements; the
    /// flag buffer still gives the element count.
    public var ignoresKeepFlags: Bool {
        switch plan {
        case .identity, .fillAll: return true
        case .select, .scale, .alpha: return false
        }
    }

    /// Transforms `keep.count` elements in place: element `i` occupies bytes
    /// `i*itemSize ..< (i+1)*itemSize` of `bytes`, in `dtype`'s byte order, at any alignment;
    /// `keep[i] != 0` keeps it. Touches no byte when `isIdentity`.
    /// Traps when `bytes.count != keep.count * dtype.itemSize` (a caller bug).
    public func apply(_ bytes: UnsafeMutableRawBufferPointer, keep: UnsafeBufferPointer<UInt8>) {
        precondition(bytes.count == keep.count &* dtype.itemSize, "chunk size does not match keep flag count")
        guard let base = bytes.baseAddress, let flags = keep.baseAddress else { return }
        let count = keep.count
        let swap = dtype.needsSwap
        switch plan {
        case .identity:
            return
        case .fillAll(let p):
            let lanes = layout.lanesPerElement == 2 ? count &* 2 : count
            let period = layout.lanesPerElement
            switch layout.laneBytes {
            case 1:
                fillLanes(
                    base, lanes: lanes, period: period, fill0: UInt8(truncatingIfNeeded: p.word0),
                    fill1: UInt8(truncatingIfNeeded: p.word1))
            case 2:
                fillLanes(
                    base, lanes: lanes, period: period, fill0: UInt16(truncatingIfNeeded: p.word0),
                    fill1: UInt16(truncatingIfNeeded: p.word1))
            case 4:
                fillLanes(
                    base, lanes: lanes, period: period, fill0: UInt32(truncatingIfNeeded: p.word0),
                    fill1: UInt32(truncatingIfNeeded: p.word1))
            default: fillLanes(base, lanes: lanes, period: period, fill0: p.word0, fill1: p.word1)
            }
        case .select(let p):
            switch (layout.laneBytes, layout.lanesPerElement) {
            case (1, _): selectLanes(base, keep: flags, count: count, fill: UInt8(truncatingIfNeeded: p.word0))
            case (2, _): selectLanes(base, keep: flags, count: count, fill: UInt16(truncatingIfNeeded: p.word0))
            case (4, 1): selectLanes(base, keep: flags, count: count, fill: UInt32(truncatingIfNeeded: p.word0))
            case (8, 1): selectLanes(base, keep: flags, count: count, fill: p.word0)
            case (4, _):
                selectLanePairs(
                    base, keep: flags, count: count, fill0: UInt32(truncatingIfNeeded: p.word0),
                    fill1: UInt32(truncatingIfNeeded: p.word1))
            default: selectLanePairs(base, keep: flags, count: count, fill0: p.word0, fill1: p.word1)
            }
        case .scale(let s, let p):
            if swap {
                applyScale(base, flags, count, s, p, SwappedByteOrder.self)
            } else {
                applyScale(base, flags, count, s, p, HostByteOrder.self)
            }
        case .alpha(let c):
            if swap {
                applyAlpha(base, flags, count, c, SwappedByteOrder.self)
            } else {
                applyAlpha(base, flags, count, c, HostByteOrder.self)
            }
        }
    }

    private func applyScale<O: ElementByteOrder>(
        _ base: UnsafeMutableRawPointer, _ keep: UnsafePointer<UInt8>, _ count: Int,
        _ s: Double, _ p: FillPattern, _ order: O.Type
    ) {
        switch (layout.laneBytes, layout.lanesPerElement) {
        case (2, 1):
            scaleHalf(
                base, keep: keep, count: count, scale: Float(Float16(s)), fill: UInt16(truncatingIfNeeded: p.word0),
                order: O.self)
        case (4, 1):
            scaleReal(
                base, keep: keep, count: count, scale: Float(s), fill: UInt32(truncatingIfNeeded: p.word0),
                order: O.self)
        case (8, 1):
            scaleReal(base, keep: keep, count: count, scale: s, fill: p.word0, order: O.self)
        case (4, 2):
            scaleComplex(
                base, keep: keep, count: count, scale: Float(s),
                fillReal: UInt32(truncatingIfNeeded: p.word0), fillImag: UInt32(truncatingIfNeeded: p.word1),
                order: O.self)
        default:
            scaleComplex(base, keep: keep, count: count, scale: s, fillReal: p.word0, fillImag: p.word1, order: O.self)
        }
    }

    private func applyAlpha<O: ElementByteOrder>(
        _ base: UnsafeMutableRawPointer, _ keep: UnsafePointer<UInt8>, _ count: Int,
        _ c: AlphaDropoutCoefficients, _ order: O.Type
    ) {
        switch layout.laneBytes {
        case 2:
            let a = Float16(c.a), b = Float16(c.b)
            let dropped = O.toMemory((a * Float16(AlphaDropoutCoefficients.alphaP) + b).bitPattern)
            alphaHalf(base, keep: keep, count: count, a: Float(a), b: Float(b), dropped: dropped, order: O.self)
        case 4: runAlpha(base, keep, count, c, Float.self, O.self)
        default: runAlpha(base, keep, count, c, Double.self, O.self)
        }
    }

    @inline(__always)
    private func runAlpha<F: KernelFloat, O: ElementByteOrder>(
        _ base: UnsafeMutableRawPointer, _ keep: UnsafePointer<UInt8>, _ count: Int,
        _ c: AlphaDropoutCoefficients, _ type: F.Type, _ order: O.Type
    ) {
        let a = F(c.a)
        let b = F(c.b)
        let dropped = O.toMemory((a * F(AlphaDropoutCoefficients.alphaP) + b).bitPattern)
        alphaReal(base, keep: keep, count: count, a: a, b: b, dropped: dropped, order: O.self)
    }
}

/// What `apply` does, decided once per array.
private enum Plan: Sendable {
    /// `rate == 0`: nothing.
    case identity
    /// `rate == 1`: every element becomes the pattern.
    case fillAll(FillPattern)
    /// Kept elements unchanged, dropped become the pattern.
    case select(FillPattern)
    /// Floats and complex: kept multiplied by the float64 scale rounded to the part type.
    case scale(Double, FillPattern)
    case alpha(AlphaDropoutCoefficients)
}

/// How a supported dtype is laid out in lanes: one lane per element, two for complex.
struct ElementLayout: Sendable, Hashable {
    var laneBytes: Int
    var lanesPerElement: Int
    var kind: ScalarKind

    init?(_ dtype: DType) {
        switch (dtype.kind, dtype.itemSize) {
        case (.bool, 1), (.signedInteger, 1), (.unsignedInteger, 1),
            (.signedInteger, 2), (.unsignedInteger, 2), (.float, 2),
            (.signedInteger, 4), (.unsignedInteger, 4), (.float, 4),
            (.signedInteger, 8), (.unsignedInteger, 8), (.float, 8):
            laneBytes = dtype.itemSize
            lanesPerElement = 1
        case (.complex, 8), (.complex, 16):
            laneBytes = dtype.itemSize / 2
            lanesPerElement = 2
        default:
            return nil
        }
        kind = dtype.kind
    }

    var isRealFloat: Bool { kind == .float }
    var isFloatOrComplex: Bool { kind == .float || kind == .complex }
}

/// One element's fill value as lane words in memory byte order (`word1` is the imaginary lane).
struct FillPattern: Sendable, Hashable {
    var word0: UInt64
    var word1: UInt64

    /// Converts `fill` to the element type; throws `.fillNotRepresentable` when it cannot.
    init(_ fill: FillValue, layout: ElementLayout, dtype: DType, swap: Bool) throws(DropoutKernelError) {
        let bits: Result<UInt64, FillValue.Refusal>
        switch (layout.kind, layout.laneBytes) {
        case (.bool, _): bits = fill.convertedToBool().map { UInt64($0) }
        case (.signedInteger, 1): bits = fill.converted(to: Int8.self).map { UInt64(UInt8(bitPattern: $0)) }
        case (.signedInteger, 2): bits = fill.converted(to: Int16.self).map { UInt64(UInt16(bitPattern: $0)) }
        case (.signedInteger, 4): bits = fill.converted(to: Int32.self).map { UInt64(UInt32(bitPattern: $0)) }
        case (.signedInteger, _): bits = fill.converted(to: Int64.self).map { UInt64(bitPattern: $0) }
        case (.unsignedInteger, 1): bits = fill.converted(to: UInt8.self).map { UInt64($0) }
        case (.unsignedInteger, 2): bits = fill.converted(to: UInt16.self).map { UInt64($0) }
        case (.unsignedInteger, 4): bits = fill.converted(to: UInt32.self).map { UInt64($0) }
        case (.unsignedInteger, _): bits = fill.converted(to: UInt64.self)
        case (_, 2): bits = fill.converted(to: Float16.self).map { UInt64($0.bitPattern) }
        case (_, 4): bits = fill.converted(to: Float.self).map { UInt64($0.bitPattern) }
        default: bits = fill.converted(to: Double.self).map { $0.bitPattern }
        }
        switch bits {
        case .failure(let refusal):
            throw .fillNotRepresentable(fill, dtype, reason: refusal.reason)
        case .success(let host):
            word0 = swap ? Self.swapped(host, laneBytes: layout.laneBytes) : host
            word1 = 0  // +0.0 imaginary part: all-zero bits in either byte order
        }
    }

    private static func swapped(_ word: UInt64, laneBytes: Int) -> UInt64 {
        switch laneBytes {
        case 2: return UInt64(UInt16(truncatingIfNeeded: word).byteSwapped)
        case 4: return UInt64(UInt32(truncatingIfNeeded: word).byteSwapped)
        case 8: return word.byteSwapped
        default: return word
        }
    }
}
