import NPYFormat

/// The keep-mask file of contract §3.4: a `|b1` array of the noise shape in C order whose data
/// bytes ARE the noise keep flags (1 = kept, 0 = dropped), one byte per noise element, in the
/// order the RNG draws them. No reordering or broadcasting is involved.
public enum KeepMask {
    /// `|b1`.
    public static let dtype = DType(kind: .bool, itemSize: 1, byteOrder: .notApplicable)
    /// Masks are always written in C order, whatever the data's order.
    public static let fortranOrder = false

    /// The mask array's shape: the noise dims of `map`.
    public static func shape(of map: BroadcastMap) -> [Int] { map.noiseDims }

    /// Copies noise flags `noiseKeep` into `out` as mask data bytes (any nonzero flag becomes
    /// 1, so the bytes are always valid bools). Traps when `out` is shorter (a caller bug).
    public static func writeMaskBytes(_ noiseKeep: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableRawBufferPointer)
    {
        precondition(out.count >= noiseKeep.count, "mask buffer shorter than the keep flags")
        for i in noiseKeep.indices {
            out[i] = noiseKeep[i] != 0 ? 1 : 0
        }
    }
}
