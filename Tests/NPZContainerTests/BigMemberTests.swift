import Foundation
import Testing

@testable import NPZContainer

/// 5 GiB members, streamed. Not run by default (minutes of I/O and ~6 GiB of disk in the temp dir):
///     NPDROP_BIG_TESTS=1 swift test -c release --filter BigMemberTests
@Suite(.enabled(if: ProcessInfo.processInfo.environment["NPDROP_BIG_TESTS"] == "1"), .serialized)
struct BigMemberTests {
    static let size: UInt64 = 5 << 30
    static let chunk = 4 << 20

    /// Chunk `k` of the test stream: a fixed pseudo-random block with `k` stamped into its first 8 bytes,
    /// so misplaced or repeated chunks would show.
    static func fill(_ buffer: inout [UInt8], base: [UInt8], index: UInt64) {
        buffer = base
        for b in 0..<8 { buffer[b] = UInt8(truncatingIfNeeded: index >> (8 * UInt64(b))) }
    }

    @Test(arguments: [ZipWriteMethod.stored, .deflated(level: 1)])
    func fiveGiBMemberStreamsBothWays(method: ZipWriteMethod) throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("big.npz")
        let base = testBytes(count: Self.chunk, seed: 99, runs: true)
        var buffer = base
        var expectedCRC = CRC32()

        let writer = try ZipArchiveWriter(path: path)
        let sink = try writer.beginMember(name: "big.npy", method: method)
        var index: UInt64 = 0
        var written: UInt64 = 0
        while written < Self.size {
            Self.fill(&buffer, base: base, index: index)
            try buffer.withUnsafeBytes { raw in
                expectedCRC.update(raw)
                try sink.write(raw)
            }
            written += UInt64(Self.chunk)
            index += 1
        }
        try writer.finishMember()
        // A member after the big one has its local header beyond 2 GiB: zip64 offset in the central directory.
        let tail = try writer.beginMember(name: "after.npy", method: method)
        try [UInt8]([1, 2, 3]).withUnsafeBytes { try tail.write($0) }
        try writer.finish()

        let reader = try ZipArchiveReader(path: path)
        #expect(reader.entries.map(\.uncompressedSize) == [Self.size, 3])
        #expect(reader.entries[0].crc32 == expectedCRC.value)
        if method == .stored {
            #expect(reader.entries[1].localHeaderOffset > UInt64(UInt32.max))
        }
        #expect(reader.entries[0].compressedSize > UInt64(UInt32.max) || method != .stored)
        let source = try reader.openMember(reader.entries[0])
        var got = [UInt8](repeating: 0, count: Self.chunk)
        var mismatches = 0
        index = 0
        while true {
            let n = try got.withUnsafeMutableBytes { try source.readFully(into: $0) }
            if n == 0 { break }
            Self.fill(&buffer, base: base, index: index)
            if n != Self.chunk || got != buffer { mismatches += 1 }
            index += 1
        }
        #expect(mismatches == 0)
        #expect(source.bytesRead == Self.size)
        #expect(try drain(reader.openMember(reader.entries[1])) == [1, 2, 3])

        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #expect(usage.ru_maxrss < 512 * 1024, "peak RSS \(usage.ru_maxrss) KiB")

        if Python.isAvailable {
            let test = try Python.runModule(["-m", "zipfile", "-t", path])
            #expect(test.status == 0 && test.out.contains("Done testing"), "\(test.err)")
        }
    }
}
