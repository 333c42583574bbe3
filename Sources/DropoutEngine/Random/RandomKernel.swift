import NPDropKernels
import NPDropPlatform

/// Which implementation writes keep flags from the PCG64 stream (`PCG64.fillKeep`). All of them
/// write the same bytes; they differ in speed and in the CPU features they need. Chosen once
/// per process: the fastest this CPU runs, or the one `NPDROP_RNG_KERNEL` names.
public enum RandomKernel: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Portable C, four interleaved 128-bit LCG lanes.
    case scalar
    /// 16 lanes in AVX2 registers, products from 32-bit multiplies.
    case avx2
    /// 64 lanes in AVX-512 registers, states as 52-bit limbs multiplied with IFMA.
    case avx512ifma

    /// The environment variable that forces a kernel: `scalar`, `avx2` or `avx512ifma`.
    public static let environmentVariable = "NPDROP_RNG_KERNEL"

    /// Below this many draws `fillKeep` uses the scalar kernel: a vector kernel's set-up (its
    /// lanes' first states) costs about as much as that many draws.
    public static let vectorMinimumCount = 64

    public var description: String { rawValue }

    /// True when this CPU (and OS) can run the kernel.
    public var isSupported: Bool { Self.supportFlags[Self.allCases.firstIndex(of: self)!] }

    /// The kernels this CPU runs, slowest first (`scalar` always).
    public static var supported: [RandomKernel] { allCases.filter(\.isSupported) }

    /// The fastest kernel this CPU runs.
    public static var fastest: RandomKernel { supported.last ?? .scalar }

    /// The kernel `fillKeep` uses: the one `NPDROP_RNG_KERNEL` names when this CPU runs it,
    /// else the fastest. (An invalid choice is reported by `checkEnvironment()`; callers that
    /// do not check get the fastest kernel, which writes the same bytes.)
    public static let active: RandomKernel = (try? selected(byEnvironment: environmentValue)) ?? fastest

    /// Throws `RandomKernelError` when `NPDROP_RNG_KERNEL` is set to a name that is not a kernel
    /// or to a kernel this CPU cannot run; returns the kernel in use otherwise.
    @discardableResult
    public static func checkEnvironment() throws(RandomKernelError) -> RandomKernel {
        try selected(byEnvironment: environmentValue)
    }

    /// The kernel for the value of `NPDROP_RNG_KERNEL` (nil or empty: unset) on a CPU that runs
    /// `supported`: unset gives the fastest of `supported`. Throws `.unknown` for a name that is
    /// no kernel and `.unsupported` for one outside `supported`.
    public static func selected(
        byEnvironment value: String?, supported: [RandomKernel] = RandomKernel.supported
    ) throws(RandomKernelError) -> RandomKernel {
        guard let value, !value.isEmpty else { return supported.last ?? .scalar }
        guard let kernel = RandomKernel(rawValue: value) else { throw .unknown(value) }
        guard supported.contains(kernel) else { throw .unsupported(kernel, supported: supported) }
        return kernel
    }

    private static var environmentValue: String? {
        guard let raw = getenv(environmentVariable) else { return nil }
        return String(cString: raw)
    }

    private static let supportFlags: [Bool] = allCases.map { kernel in
        switch kernel {
        case .scalar: true
        case .avx2: npdrop_keep_kernel_supported(NPDROP_KEEP_AVX2) != 0
        case .avx512ifma: npdrop_keep_kernel_supported(NPDROP_KEEP_AVX512IFMA) != 0
        }
    }
}
