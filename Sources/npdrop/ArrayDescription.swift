import BatchRunner
import NPYFormat

/// What `inspect` says about one array (an `.npy` file or an npz member): its header, and
/// whether npdrop transforms it or copies it unchanged.
enum ArrayDescription {
    /// A dtype npdrop reads and transforms.
    case transformed(NPYHeader)
    /// A dtype npdrop does not transform (object, structured, unicode, ...): the header fields as
    /// written and the reason; `run` copies such a file byte for byte.
    case copied(NPYHeaderFields, reason: String)

    /// `npy 1.0, <f4, shape (2, 3), C order, data at byte 128, 24 data bytes`, or for a copied
    /// array `npy 1.0, |O, shape (2, 3), C order, data at byte 128; copied, not transformed: <reason>`.
    var humanText: String {
        switch self {
        case .transformed(let header):
            var text = "npy \(header.version), \(header.dtype.descr), shape \(NPYShapeText.python(header.shape)), "
            text += header.fortranOrder ? "Fortran order" : "C order"
            return text + ", data at byte \(header.dataOffset), \(header.dataByteCount) data bytes"
        case .copied(let fields, let reason):
            var text =
                "npy \(fields.version), \(MessageText.escaped(fields.descr)), shape \(NPYShapeText.python(fields.shape)), "
            text += fields.fortranOrder ? "Fortran order" : "C order"
            return text + ", data at byte \(fields.dataOffset); copied, not transformed: \(MessageText.escaped(reason))"
        }
    }

    /// The JSON fields `version, descr, shape, fortran_order, data_offset, data_bytes`, and for a
    /// copied array `data_bytes` null and `transformed: false` with the `reason`.
    var jsonFields: [(String, String)] {
        switch self {
        case .transformed(let header):
            return [
                ("version", JSONText.string(header.version.description)),
                ("descr", JSONText.string(header.dtype.descr)),
                ("shape", JSONText.integers(header.shape)),
                ("fortran_order", JSONText.bool(header.fortranOrder)),
                ("data_offset", JSONText.integer(header.dataOffset)),
                ("data_bytes", JSONText.integer(header.dataByteCount)),
            ]
        case .copied(let fields, let reason):
            return [
                ("version", JSONText.string(fields.version.description)),
                ("descr", JSONText.string(fields.descr)),
                ("shape", JSONText.integers(fields.shape)),
                ("fortran_order", JSONText.bool(fields.fortranOrder)),
                ("data_offset", JSONText.integer(fields.dataOffset)),
                ("data_bytes", "null"),
                ("transformed", "false"),
                ("reason", JSONText.string(reason)),
            ]
        }
    }
}
