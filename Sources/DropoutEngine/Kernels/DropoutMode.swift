/// Which element formula a kernel applies to kept and dropped elements (contract §3.3).
public enum DropoutMode: Sendable, Hashable {
    /// `keep ? x * scale : fill` for floats, `keep ? x : fill` for integers and bool.
    case standard
    /// SELU alpha dropout: `T(a) * (keep ? x : T(alpha_p)) + T(b)`, real floats only.
    case alpha
}
