import ArgumentParser
import NPZContainer

/// Limits on untrusted `.npz` inputs that a user may tighten or loosen.
struct InputLimitsOptionGroup: ParsableArguments {
    @Option(
        name: .customLong("max-inflate-ratio"),
        help: ArgumentHelp(
            """
            Refuse a deflated npz member whose declared size is more than R times its compressed size \
            (default 1032, deflate's own maximum; lower it to refuse highly compressible members early).
            """, valueName: "R"))
    var maxInflateRatio: UInt64?

    func validate() throws {
        if let maxInflateRatio, maxInflateRatio < 1 {
            throw ValidationError("--max-inflate-ratio must be at least 1, found \(maxInflateRatio)")
        }
    }

    /// The limits `.npz` inputs are read with.
    var zipLimits: ZipLimits {
        var limits = ZipLimits.default
        if let maxInflateRatio { limits.maxInflateRatio = maxInflateRatio }
        return limits
    }
}
