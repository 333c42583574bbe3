/// The value `--fill V` gives to dropped elements, before it is converted to the element type.
///
/// Integers are kept exact (a `u8` or `i8` fill needs all 64 bits); anything else is a float64.
/// Conversion rules (see `DropoutKernel`): floats take the nearest value of `T` (a finite value
/// that overflows to infinity is refused); integers must be whole and in range of `T`; bool
/// takes 0 or 1; complex takes `T(V) + 0j`.
public struct FillValue: Sendable, Hashable, CustomStringConvertible {
    /// The number a fill value stands for.
    public enum Number: Sendable, Hashable {
        /// An integer in `Int64`'s range.
        case signed(Int64)
        /// An integer above `Int64.max`.
        case unsigned(UInt64)
        /// Any other number, including NaN and ±infinity.
        case real(Double)
    }

    /// The number.
    public let number: Number
    /// The number as written (`0`, `-1`, `0.5`, `nan`, `1e3`): what the manifest records.
    public let text: String

    /// Parses a decimal integer exactly, else a float (`1.5`, `-1e3`, `nan`, `inf`, `-inf`),
    /// after trimming spaces; returns nil when `text` is neither (see `parsingProblem`).
    public init?(parsing text: String) {
        var trimmed = Substring(text)
        while trimmed.first == " " { trimmed.removeFirst() }
        while trimmed.last == " " { trimmed.removeLast() }
        let written = String(trimmed)
        if let value = Int64(written) {
            number = .signed(value)
        } else if let value = UInt64(written) {
            number = .unsigned(value)
        } else if let value = Double(written) {
            number = .real(value)
        } else {
            return nil
        }
        self.text = written
    }

    /// The value `number`, written as Swift prints it.
    public init(_ number: Number) {
        self.number = number
        switch number {
        case .signed(let value): text = String(value)
        case .unsigned(let value): text = String(value)
        case .real(let value): text = String(value)
        }
    }

    /// The fill value of an integer in `Int64`'s range.
    public static func signed(_ value: Int64) -> FillValue { FillValue(.signed(value)) }
    /// The fill value of an integer above `Int64.max`.
    public static func unsigned(_ value: UInt64) -> FillValue { FillValue(.unsigned(value)) }
    /// The fill value of any other number.
    public static func real(_ value: Double) -> FillValue { FillValue(.real(value)) }

    /// The one message for text that is not a fill value: `expected a number (integer, decimal,
    /// nan, inf), found 'zero'`.
    public static func parsingProblem(_ text: String) -> String {
        "expected a number (integer, decimal, nan, inf), found '\(text)'"
    }

    /// Equal numbers are equal fill values, however written (`1e3` and `1000.0`; any NaN and NaN).
    public static func == (a: FillValue, b: FillValue) -> Bool {
        switch (a.number, b.number) {
        case (.real(let x), .real(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.real(let x), .signed(let y)), (.signed(let y), .real(let x)):
            return x == Double(y) && Int64(exactly: x) == y
        case (.real(let x), .unsigned(let y)), (.unsigned(let y), .real(let x)):
            return x == Double(y) && UInt64(exactly: x) == y
        default: return a.number == b.number
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch number {
        case .signed(let value): hasher.combine(Double(value))
        case .unsigned(let value): hasher.combine(Double(value))
        case .real(let value):
            // Every NaN is one fill value; -0.0 and 0.0 hash alike as Doubles.
            if value.isNaN { hasher.combine(UInt64.max) } else { hasher.combine(value) }
        }
    }

    /// The text.
    public var description: String { text }

    /// The value as a double (rounded for integers beyond 2^53).
    public var doubleValue: Double {
        switch number {
        case .signed(let value): return Double(value)
        case .unsigned(let value): return Double(value)
        case .real(let value): return value
        }
    }

    /// The nearest `F`; nil with a reason when a finite value overflows to infinity.
    func converted<F: BinaryFloatingPoint>(to: F.Type) -> Result<F, Refusal> {
        let value: F
        let finite: Bool
        switch number {
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
        switch number {
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
