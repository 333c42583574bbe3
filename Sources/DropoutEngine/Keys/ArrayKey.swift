/// The per-array key of contract §3.2 that selects an array's random stream:
/// `relpath` for an `.npy`, `relpath + "\0" + member` for an `.npz` member, or a `--key` string.
public struct ArrayKey: Sendable, Hashable {
    /// The key bytes (UTF-8 of the key string).
    public let bytes: [UInt8]

    /// The key of an `.npy` file (`member == nil`) or of an `.npz` member: `relpath` uses `/`
    /// separators and is relative to the input directory (a single file: its base name; a
    /// `--key` value takes the place of `relpath`, and the member is still appended).
    public init(relpath: String, member: String? = nil) {
        var bytes = Array(relpath.utf8)
        if let member {
            bytes.append(0)
            bytes.append(contentsOf: member.utf8)
        }
        self.bytes = bytes
    }

    /// A whole key given verbatim: its UTF-8 bytes (a NUL inside is kept).
    public init(string: String) {
        self.bytes = Array(string.utf8)
    }

    /// A key from raw bytes (e.g. a file name that is not valid UTF-8).
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The key bytes zero-padded to a multiple of 4 and read as little-endian u32 words.
    public var words: [UInt32] {
        stride(from: 0, to: bytes.count, by: 4).map { start in
            var word: UInt32 = 0
            for offset in 0..<min(4, bytes.count - start) {
                word |= UInt32(bytes[start + offset]) << (8 * offset)
            }
            return word
        }
    }

    /// NumPy's spawn key for augmentation copy `copy`: `[copy, len(bytes), words...]`.
    /// Traps if `copy` is negative.
    public func spawnKey(copy: Int) -> [UInt64] {
        precondition(copy >= 0, "copy index must be non-negative")
        return [UInt64(copy), UInt64(bytes.count)] + words.map(UInt64.init)
    }

    /// The array's stream: `PCG64(SeedSequence(seed, spawn_key=spawnKey(copy:)))`, positioned
    /// at draw 0 of the keep mask.
    public func stream(seed: UInt64, copy: Int) -> PCG64 {
        PCG64(SeedSequence(seed: seed, spawnKey: spawnKey(copy: copy)))
    }
}
