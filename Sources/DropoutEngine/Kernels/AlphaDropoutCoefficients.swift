import NPDropPlatform

/// The float64 constants of SELU alpha dropout (contract §3.3), computed as Keras computes them.
public struct AlphaDropoutCoefficients: Sendable, Hashable {
    /// `-alpha * lambda` of SELU: the value a dropped element takes before the affine step.
    public static let alphaP: Double = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946

    /// `((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5`.
    public let a: Double
    /// `-a * alpha_p * rate`.
    public let b: Double

    /// Computes `a` and `b` for `rate` in `[0, 1)` with C `pow`, as Python's `**` does.
    public init(rate: Double) {
        let alphaP = Self.alphaP
        a = pow((1 - rate) * (1 + rate * pow(alphaP, 2)), -0.5)
        b = -a * alphaP * rate
    }
}
