import NPDropISAL

/// The library that deflates a member's blocks. Part of the output format: the same data gives other
/// (equally valid) bytes with another engine, never with another thread count.
public enum DeflateEngine: String, Sendable, Hashable, CaseIterable {
    /// Intel ISA-L's igzip at its level 1 (`isal_deflate`): 10–40× zlib's speed, sizes within a few
    /// percent of zlib level 6 on array data (docs/npz.md).
    case isal
    /// zlib's `deflate` at a zlib level.
    case zlib

    /// The ISA-L level npdrop uses. Levels 0 (fixed Huffman codes, expands float data) and 3 (bytes
    /// depend on the CPU's code path) are never used.
    public static let isalLevel = 1

    /// The ISA-L version npdrop was built against, e.g. `2.30.0` (recorded in manifests: versions
    /// before 2.25 gave other bytes).
    public static let isalVersion: String = {
        let version = npdrop_isal_version()
        return "\(version >> 16).\((version >> 8) & 0xFF).\(version & 0xFF)"
    }()
}
