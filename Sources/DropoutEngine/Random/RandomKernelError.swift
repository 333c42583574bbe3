import NPYFormat

/// `NPDROP_RNG_KERNEL` names no kernel this process can use. `description` is one line.
public enum RandomKernelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The value is not `scalar`, `avx2` or `avx512ifma`.
    case unknown(String)
    /// The kernel needs instructions this CPU lacks; `supported` are the ones it runs.
    case unsupported(RandomKernel, supported: [RandomKernel])

    public var description: String {
        let names = RandomKernel.allCases.map(\.rawValue)
        switch self {
        case .unknown(let value):
            return MessageText.escaped(
                "\(RandomKernel.environmentVariable)='\(value)' is not a random kernel: "
                    + "expected \(names.dropLast().joined(separator: ", ")) or \(names.last!)")
        case .unsupported(let kernel, let supported):
            return "\(RandomKernel.environmentVariable)=\(kernel): this CPU cannot run it; it runs "
                + supported.map(\.rawValue).joined(separator: ", ")
        }
    }
}
