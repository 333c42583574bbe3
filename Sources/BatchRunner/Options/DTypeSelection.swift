import NPYFormat

/// Which arrays get dropout, by element kind (`--dtypes LIST`, config and rule key `dtypes`):
/// `float` (f2 f4 f8), `complex` (c8 c16), `int` (signed and unsigned), `bool`, or `all`.
/// Arrays of other kinds are copied unchanged. The default, `float,complex`, leaves labels,
/// ids and masks alone, as `tf.nn.dropout` and PyTorch's dropout (which refuse integer
/// tensors) would.
public struct DTypeSelection: Sendable, Hashable, CustomStringConvertible {
    /// The kinds that get dropout.
    public let kinds: Set<ScalarKind>

    /// `float,complex`.
    public static let `default` = DTypeSelection(kinds: [.float, .complex])
    /// Every kind npdrop transforms.
    public static let all = DTypeSelection(kinds: [.float, .complex, .signedInteger, .unsignedInteger, .bool])

    init(kinds: Set<ScalarKind>) {
        self.kinds = kinds
    }

    /// Parses a comma list of `float`, `complex`, `int`, `bool`, `all` (spaces around entries
    /// allowed); throws `.usage` naming `origin` for anything else or an empty list.
    public init(parsing text: String, origin: String = "--dtypes") throws {
        var kinds: Set<ScalarKind> = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            switch String(item).trimmingSpaces {
            case "float": kinds.insert(.float)
            case "complex": kinds.insert(.complex)
            case "int": kinds.formUnion([.signedInteger, .unsignedInteger])
            case "bool": kinds.insert(.bool)
            case "all": kinds.formUnion(DTypeSelection.all.kinds)
            default:
                throw RunnerError.usage(
                    "\(origin): expected a comma list of float, complex, int, bool or all, found '\(text)'")
            }
        }
        self.init(kinds: kinds)
    }

    /// True when arrays of `dtype` get dropout.
    public func selects(_ dtype: DType) -> Bool { kinds.contains(dtype.kind) }

    /// The canonical list, e.g. `float,complex` or `all`.
    public var description: String {
        if kinds == DTypeSelection.all.kinds { return "all" }
        var names: [String] = []
        if kinds.contains(.float) { names.append("float") }
        if kinds.contains(.complex) { names.append("complex") }
        if kinds.contains(.signedInteger) || kinds.contains(.unsignedInteger) { names.append("int") }
        if kinds.contains(.bool) { names.append("bool") }
        return names.joined(separator: ",")
    }

    /// The `--dtypes` entry that selects `dtype`.
    public static func name(of dtype: DType) -> String {
        switch dtype.kind {
        case .float: return "float"
        case .complex: return "complex"
        case .signedInteger, .unsignedInteger: return "int"
        case .bool: return "bool"
        }
    }

    /// Why an array of `dtype` is copied: `dtype <i8 is not selected (--dtypes float,complex; add int)`.
    public func reason(notSelecting dtype: DType) -> String {
        "dtype \(dtype.descr) is not selected (--dtypes \(self); add \(DTypeSelection.name(of: dtype)) to transform it)"
    }
}
