import NPYFormat

/// How keep masks are written: NumPy bools (`|b1`, the noise shape; the default) or
/// `np.packbits(keep.ravel())` (`|u1`, `ceil(n / 8)` bytes, NumPy's big bit order: the first flag is
/// the high bit of byte 0). Unpack with `np.unpackbits(m, count=n).reshape(noise_shape).astype(bool)`.
public enum MaskFormat: String, Sendable, Hashable, CaseIterable {
    case bool
    case packbits

    /// The dtype of a packed mask: `|u1`.
    public static let packedDType = DType(kind: .unsignedInteger, itemSize: 1, byteOrder: .notApplicable)

    /// The `np.save` header bytes of the packed mask of `count` noise flags.
    public static func packedHeaderBytes(count: Int) -> [UInt8] {
        NPYHeaderEncoder.encode(dtype: packedDType, fortranOrder: false, shape: [packedByteCount(count)])
    }

    /// `ceil(count / 8)`.
    public static func packedByteCount(_ count: Int) -> Int { count / 8 + (count % 8 == 0 ? 0 : 1) }
}
