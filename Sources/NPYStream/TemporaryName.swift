import NPDropPlatform
import Synchronization

/// The one naming of npdrop's temporary output files (`apply`'s outputs, a run's results,
/// masks, manifests and completion records): `.npdrop-tmp-<tag>-<pid>-<n>-<base>` in the
/// directory of the final file, where `<tag>` says whose file it is (`apply`; in a run the
/// input's shard hash or `manifest`, which the run's clean-up of a killed run's leftovers reads),
/// `<n>` counts this process's temporaries and `<base>` is the final base name, cut to keep the
/// whole name within 255 bytes. No such name ends in `.npy`/`.npz`, so a walk never takes one
/// for an input.
public enum TemporaryName {
    /// Every temporary name starts with this.
    public static let prefix = ".npdrop-tmp-"
    /// The tag of `npdrop apply`'s outputs.
    public static let applyTag = "apply"

    /// This process's id, asked once.
    public static let processID: Int32 = getpid()

    private static let counter = Atomic<UInt64>(0)

    /// The next number of this process's temporaries (1, 2, ...).
    public static func nextSequence() -> UInt64 {
        counter.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// The temporary name for final base name `base`.
    public static func name(tag: String, processID: Int32, sequence: UInt64, base: String) -> String {
        let head = "\(prefix)\(tag)-\(processID)-\(sequence)-"
        return head + clipped(base, toBytes: max(0, 255 - head.utf8.count))
    }

    /// The parts of a temporary name (any tag of lowercase letters and digits), or nil when
    /// `name` is not one.
    public static func parse(_ name: [UInt8]) -> (tag: String, base: [UInt8])? {
        let head = Array(prefix.utf8)
        guard name.count > head.count, Array(name[0..<head.count]) == head else { return nil }
        let fields = name[head.count...].split(separator: 0x2D, maxSplits: 3, omittingEmptySubsequences: false)
        let digits: ClosedRange<UInt8> = 0x30...0x39
        guard fields.count == 4,
            !fields[0].isEmpty, fields[0].allSatisfy({ digits.contains($0) || (0x61...0x7A).contains($0) }),
            !fields[1].isEmpty, fields[1].allSatisfy({ digits.contains($0) }),
            !fields[2].isEmpty, fields[2].allSatisfy({ digits.contains($0) })
        else { return nil }
        return (String(decoding: fields[0], as: UTF8.self), Array(fields[3]))
    }

    /// The longest prefix of `base` (whole Unicode scalars) of at most `limit` UTF-8 bytes, so that
    /// the temporary name of a final name that fits the file system's 255 bytes fits as well.
    public static func clipped(_ base: String, toBytes limit: Int) -> String {
        guard base.utf8.count > limit else { return base }
        var kept = String.UnicodeScalarView()
        var used = 0
        for scalar in base.unicodeScalars {
            used += String(scalar).utf8.count
            if used > limit { break }
            kept.append(scalar)
        }
        return String(kept)
    }
}
