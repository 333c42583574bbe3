/// The value `--fill V` gives to dropped elements, before it is converted to the element type.
///
/// Integers are kept exact (a `u8` or `i8` fill needs all 64 bits); anything else is a float64.
/// Conversion rules (see `DropoutKernel`): floats take the nearest value of `T` (a finite value
/// that overflows to infinity is refused); integers must be whole and in range of `T`; bool
/// takes 0 or 1; complex takes `T(V) + 0j`.
public enum FillValue: Sendable, Hashable, CustomStringConvertible {
    /// An integer in `Int64`'s range.
    case signed(Int64)
    /// An integer above `Int64.max`.
    case unsigned(UInt64)
    /// Any other number, including NaN and ±infinity.
    case real(Double)

    /// Parses a decimal integer exactly, else a float (`1.5`, `-1e3`, `nan`, `inf`, `-inf`);
    /// returns nil when `text` is neither.
    public init?(parsing text: String) {
        if let value = Int64(text) {
            self = .signed(value)
        } else if let value = UInt64(text) {
            self = .unsigned(value)
        } else if let value = Double(text) {
            self = .real(value)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .signed(let value): return String(value)
        case .unsigned(let value): return String(value)
        case .real(let value): return String(value)
        }
    }

    /// The nearest `F`; nil with a reason when a finite value overflows to infinity.
    func converted<F: BinaryFloatingPoint>(to: F.Type) -> Result<F, Refusal> {
        let value: F
        let finite: Bool
        switch self {
        case .signed(let v): value = F(v); finite = true
        case .unsigned(let v): value = F(v); finite = true
        case .real(let v): value = F(v); finite = v.isFinite
        }
        if finite && !value.isFinite {
            return .failure(Refusal(reason: "it overflows to infinity"))
        }
        return .success(value)
    }

    /// The exact `I`; a refusal when the value is not whole or out of range.
    func converted<I: FixedWidthInteger>(to: I.Type) -> Result<I, Refusal> {
        let exact: I?
        switch self {
        case .signed(let v): exact = I(exactly: v)
        case .unsigned(let v): exact = I(exactly: v)
        case .real(let v): exact = v.isFinite ? I(exactly: v) : nil
        }
        guard let exact else {
            return .failure(Refusal(reason: "expected an integer in \(I.min)...\(I.max)"))
        }
        return .success(exact)
    }

    /// 0 or 1 for a bool element; a refusal for anything else.
    func convertedToBool() -> Result<UInt8, Refusal> {
        switch converted(to: UInt8.self) {
        case .success(let v) where v <= 1: return .success(v)
        default: return .failure(Refusal(reason: "expected 0 or 1"))
        }
    }

    /// Why a conversion was refused, for `DropoutKernelError.fillNotRepresentable`.
    struct Refusal: Error {
        var reason: String
    }
}
