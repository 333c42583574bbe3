/// Byte order of a multi-byte element, as written in a descr string.
public enum ByteOrder: Sendable, Hashable {
    case little
    case big
    /// One-byte types (`|`): byte order does not apply.
    case notApplicable

    /// The order of this machine.
    public static var host: ByteOrder { 1.littleEndian == 1 ? .little : .big }
}

/// The element kinds npdrop supports.
public enum ScalarKind: Sendable, Hashable {
    case bool
    case signedInteger
    case unsignedInteger
    case float
    case complex
}

/// A supported NumPy element type: kind, size in bytes and byte order.
///
/// `descr` gives the canonical string NumPy writes (`'<f4'`, `'|b1'`, `'>c16'`), which is
/// what `np.save` puts in a header and what the manifest records.
public struct DType: Sendable, Hashable {
    /// What the bytes of an element mean.
    public var kind: ScalarKind
    /// Bytes per element (a complex element counts both parts).
    public var itemSize: Int
    /// Order of the element bytes (`.notApplicable` for one-byte types).
    public var byteOrder: ByteOrder

    /// A dtype; the byte order of a one-byte type is always stored as `.notApplicable`.
    public init(kind: ScalarKind, itemSize: Int, byteOrder: ByteOrder) {
        self.kind = kind
        self.itemSize = itemSize
        self.byteOrder = itemSize == 1 ? .notApplicable : byteOrder
    }

    /// True when element bytes must be swapped to be read on this machine.
    public var needsSwap: Bool { byteOrder != .notApplicable && byteOrder != ByteOrder.host }

    /// The canonical descr NumPy writes for this type, e.g. `<f4`, `|u1`, `|b1`, `>c16`.
    public var descr: String {
        let order: String
        switch byteOrder {
        case .little: order = "<"
        case .big: order = ">"
        case .notApplicable: order = "|"
        }
        let code: String
        switch kind {
        case .bool: code = "b"
        case .signedInteger: code = "i"
        case .unsignedInteger: code = "u"
        case .float: code = "f"
        case .complex: code = "c"
        }
        return order + code + String(itemSize)
    }
}
