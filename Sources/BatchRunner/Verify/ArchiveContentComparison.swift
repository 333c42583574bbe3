import NPYStream
import NPZContainer

/// Compares an `.npz` in OUT with its re-derived twin by content: the same members in the same
/// order with the same names, methods, sizes and CRC-32s, stored members' data byte for byte, and
/// deflated members' inflated bytes equal. So a member deflated by another engine (zlib blocks where
/// ISA-L failed its known-answer check, or another ISA-L build) is not a mismatch.
enum ArchiveContentComparison {
    /// nil when `found` holds the content of `expected`, else what differs (one line, no path).
    /// Reads both archives member by member in 1 MiB chunks.
    static func difference(expected: String, found: String) -> String? {
        let want: ZipArchiveReader
        let have: ZipArchiveReader
        do {
            want = try ZipArchiveReader(path: expected)
        } catch {
            return "the re-derived archive cannot be read: \(error)"
        }
        do {
            have = try ZipArchiveReader(path: found)
        } catch {
            return "not a readable zip archive: \(error)"
        }
        guard want.entries.count == have.entries.count else {
            return "\(have.entries.count) members, re-derived \(want.entries.count)"
        }
        guard want.comment == have.comment else { return "archive comment differs from the re-derived one" }
        for (a, b) in zip(want.entries, have.entries) {
            guard a.rawName == b.rawName else {
                return "member \(b.index) is named '\(b.name)', re-derived '\(a.name)'"
            }
            guard a.method == b.method else {
                return "member '\(b.name)' uses method \(b.method), re-derived \(a.method)"
            }
            guard a.flags == b.flags, a.dosDateTime == b.dosDateTime else {
                return "member '\(b.name)' has other flags or time than the re-derived one"
            }
            guard a.uncompressedSize == b.uncompressedSize else {
                return "member '\(b.name)' holds \(b.uncompressedSize) bytes, re-derived \(a.uncompressedSize)"
            }
            guard a.crc32 == b.crc32 else {
                return "member '\(b.name)' has CRC-32 \(hex(b.crc32)), re-derived \(hex(a.crc32))"
            }
            if a.method == .stored, a.compressedSize != b.compressedSize {
                return "member '\(b.name)' stores \(b.compressedSize) bytes, re-derived \(a.compressedSize)"
            }
            do {
                if let offset = try firstDifference(want.openMember(a), have.openMember(b)) {
                    return "member '\(b.name)' differs from the re-derived bytes at offset \(offset)"
                }
            } catch {
                return "member '\(b.name)' cannot be compared: \(error)"
            }
        }
        return nil
    }

    /// The first offset where the two members' bytes differ, or nil (stored members yield their stored
    /// bytes, deflated ones their inflated bytes; both check their CRC-32 at the end).
    private static func firstDifference(_ a: ZipMemberSource, _ b: ZipMemberSource) throws -> UInt64? {
        let chunk = 1 << 20
        var left = [UInt8](repeating: 0, count: chunk)
        var right = [UInt8](repeating: 0, count: chunk)
        var offset: UInt64 = 0
        while true {
            let n = try left.withUnsafeMutableBytes { try fill($0, from: a) }
            let m = try right.withUnsafeMutableBytes { try fill($0, from: b) }
            let same = min(n, m)
            for i in 0..<same where left[i] != right[i] { return offset + UInt64(i) }
            if n != m { return offset + UInt64(same) }
            if n < chunk { return nil }
            offset += UInt64(n)
        }
    }

    /// Reads until `buffer` is full or the source ends; returns the count.
    private static func fill(_ buffer: UnsafeMutableRawBufferPointer, from source: ByteSource) throws -> Int {
        var count = 0
        while count < buffer.count {
            let got = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
            if got == 0 { break }
            count += got
        }
        return count
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
