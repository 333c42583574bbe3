import NPYFormat

/// Why a dropout kernel or broadcast map cannot be built for an array.
///
/// Messages are one line and do not name the file: the per-array pipeline prefixes the file
/// (and npz member) when it reports them.
public enum DropoutKernelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `rate` is NaN or outside `[0, 1]`.
    case rateOutOfRange(Double)
    /// The dtype is not one npdrop computes on (e.g. a 16-byte float).
    case unsupportedDType(DType)
    /// Alpha dropout was asked for on a dtype that is not `f2`, `f4` or `f8`.
    case alphaNeedsRealFloat(DType)
    /// Alpha dropout was asked for with `rate == 1` (its coefficients are undefined there).
    case alphaRateOne
    /// Alpha dropout was combined with `--fill` (its dropped value is fixed).
    case alphaWithFill
    /// Alpha dropout was combined with `--no-scale` (its affine correction is the variant).
    case alphaWithoutScale
    /// The `--fill` value cannot be stored in the array's element type.
    case fillNotRepresentable(FillValue, DType, reason: String)
    /// Noise dims and array shape differ in rank.
    case noiseRankMismatch(shape: [Int], noiseDims: [Int])
    /// A noise dim is neither 1 nor the array's dim on that axis.
    case noiseDimMismatch(shape: [Int], noiseDims: [Int], axis: Int)
    /// A dimension is negative, or the element count overflows `Int`.
    case invalidShape([Int])

    public var description: String {
        switch self {
        case .rateOutOfRange(let rate):
            return DropoutRate.message(rate)
        case .unsupportedDType(let dtype):
            return "dropout kernels support b1, i1-i8, u1-u8, f2, f4, f8, c8, c16; found \(dtype.descr)"
        case .alphaNeedsRealFloat(let dtype):
            return "alpha dropout needs a real float dtype (f2, f4, f8), found \(dtype.descr)"
        case .alphaRateOne:
            return "alpha dropout needs rate < 1, found rate 1"
        case .alphaWithFill:
            return "alpha dropout fixes the dropped value; --fill cannot be combined with it"
        case .alphaWithoutScale:
            return "alpha dropout always applies its affine correction; --no-scale cannot be combined with it"
        case .fillNotRepresentable(let fill, let dtype, let reason):
            return "fill value \(fill) is not representable in dtype \(dtype.descr): \(reason)"
        case .noiseRankMismatch(let shape, let noiseDims):
            return
                "noise shape \(Self.tuple(noiseDims)) has rank \(noiseDims.count), expected rank \(shape.count) of array shape \(Self.tuple(shape))"
        case .noiseDimMismatch(let shape, let noiseDims, let axis):
            return
                "noise shape \(Self.tuple(noiseDims)) has \(noiseDims[axis]) on axis \(axis), expected 1 or \(shape[axis]) for array shape \(Self.tuple(shape))"
        case .invalidShape(let shape):
            return "array shape \(Self.tuple(shape)) has a negative dimension or too many elements"
        }
    }

    /// Formats dims like a Python tuple: `(2, 3)`, `(5,)`, `()`.
    static func tuple(_ dims: [Int]) -> String {
        if dims.count == 1 { return "(\(dims[0]),)" }
        return "(" + dims.map(String.init).joined(separator: ", ") + ")"
    }
}
