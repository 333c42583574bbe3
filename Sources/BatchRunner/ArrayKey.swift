/// The per-array stream key and NumPy spawn key of contract §3.2.
public enum ArrayKey {
    /// `relpath` for an `.npy` file, `relpath + "\0" + entry` for the npz member `entry`.
    public static func key(relativePath: String, member: String?) -> String {
        guard let member else { return relativePath }
        return relativePath + "\u{0}" + member
    }

    /// `(copy, len(b), *words)`: `b` the UTF-8 bytes of the key, `words` those bytes zero-padded
    /// to a multiple of 4 and read as little-endian u32. `copy` must not be negative (traps).
    public static func spawnKey(relativePath: String, member: String?, copy: Int) -> [UInt64] {
        let bytes = Array(key(relativePath: relativePath, member: member).utf8)
        var result: [UInt64] = [UInt64(copy), UInt64(bytes.count)]
        var index = 0
        while index < bytes.count {
            var word: UInt64 = 0
            for lane in 0..<4 where index + lane < bytes.count {
                word |= UInt64(bytes[index + lane]) << (8 * UInt64(lane))
            }
            result.append(word)
            index += 4
        }
        return result
    }
}
