import BatchRunner
import NPDropCSupport
import Testing

/// CRC-32C, the checksum of the manifest's `*_crc32c` fields.
@Suite struct FileDigestTests {
    @Test func knownAnswers() {
        let check = Array("123456789".utf8)
        #expect(check.withUnsafeBytes { FileDigest.update(0, $0) } == 0xE306_9283)
        #expect([UInt8]().withUnsafeBytes { FileDigest.update(0, $0) } == 0)
        // 32 zero bytes (RFC 3720 B.4).
        #expect([UInt8](repeating: 0, count: 32).withUnsafeBytes { FileDigest.update(0, $0) } == 0x8A91_36AA)
    }

    @Test func theInstructionPathEqualsTheTableAndChunkingChangesNothing() {
        var state: UInt64 = 0x1234_5678_9ABC_DEF1
        let bytes = (0..<(100_000 + 13)).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        bytes.withUnsafeBytes { raw in
            for length in [0, 1, 7, 8, 9, 63, 4096 * 3 - 1, 4096 * 3, 4096 * 3 + 5, 50_000, raw.count - 3] {
                for offset in 0..<3 {
                    let part = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)])
                    let fast = FileDigest.update(0, part)
                    #expect(
                        fast == npdrop_crc32c_portable(0, part.baseAddress, part.count),
                        "length \(length) offset \(offset)")
                    let split = length / 3
                    let first = FileDigest.update(0, UnsafeRawBufferPointer(rebasing: part[0..<split]))
                    #expect(FileDigest.update(first, UnsafeRawBufferPointer(rebasing: part[split...])) == fast)
                }
            }
        }
    }
}
