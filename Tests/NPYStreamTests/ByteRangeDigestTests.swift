import Dispatch
import Foundation
import NPDropCSupport
import NPDropTestSupport
import NPYStream
import Testing

/// A file's CRC-32C gathered from the bytes passing through its descriptor (reads) or its
/// `FileOutputSink` (writes) equals the CRC-32C
/// of the file on disk, computed here one byte at a time, however the bytes went.
@Suite struct ByteRangeDigestTests {
    private struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
    }

    private func onDisk(_ path: String) throws -> UInt32 {
        BitwiseCRC32C.checksum(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func combineJoinsPiecesSplitAnywhere() {
        var random = Generator(state: 7)
        for trial in 0..<200 {
            let bytes = random.bytes(random.below(20_000))
            let whole = BitwiseCRC32C.checksum(bytes)
            // Two to five pieces at random cut points (empty pieces included).
            var cuts = (0..<(1 + random.below(4))).map { _ in random.below(bytes.count + 1) }.sorted()
            cuts = [0] + cuts + [bytes.count]
            var joined: UInt32 = 0
            bytes.withUnsafeBytes { raw in
                for index in 0..<(cuts.count - 1) {
                    let piece = UnsafeRawBufferPointer(rebasing: raw[cuts[index]..<cuts[index + 1]])
                    joined = npdrop_crc32c_combine(joined, ByteRangeDigest.crc32c(piece), piece.count)
                }
            }
            #expect(joined == whole, "trial \(trial), cuts \(cuts)")
        }
    }

    @Test func replaceFoldsAnOverwriteIn() {
        var random = Generator(state: 8)
        for trial in 0..<200 {
            var bytes = random.bytes(1 + random.below(9000))
            let before = BitwiseCRC32C.checksum(bytes)
            let start = random.below(bytes.count)
            let count = random.below(bytes.count - start + 1)
            let replacement = random.bytes(count)
            let old = Array(bytes[start..<(start + count)])
            bytes.replaceSubrange(start..<(start + count), with: replacement)
            let patched = npdrop_crc32c_replace(before, old, replacement, count, bytes.count - start - count)
            #expect(patched == BitwiseCRC32C.checksum(bytes), "trial \(trial)")
        }
    }

    @Test func writesInAnyOrderWithOverwritesTruncationsAndGaps() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var random = Generator(state: 9)
        for trial in 0..<60 {
            let path = directory.path("f\(trial)")
            let file = try FileDescriptor.createExclusive(path, readable: trial % 3 != 0)
            let sink = FileOutputSink(descriptor: file, name: path, digest: ByteRangeDigest())
            let size = 1 + random.below(300_000)
            if trial % 2 == 0 { try sink.setLength(size) }
            // Writes of random pieces in random order; some overlap earlier ones; some ranges
            // never written (zeros from the truncation, read back at the end).
            for _ in 0..<(1 + random.below(40)) {
                let start = random.below(size)
                let bytes = random.bytes(min(size - start, 1 + random.below(40_000)))
                try bytes.withUnsafeBytes { try sink.write($0, at: start) }
            }
            if trial % 5 == 1 { try sink.setLength(random.below(size + 1)) }
            let length = try file.status().size
            let reader = try FileDescriptor.openForReading(path)
            let digest = sink.digest!
            let crc = try digest.crc32c(size: length) { try reader.preadUnrecorded(into: $0, at: $1) }
            #expect(crc == (try onDisk(path)), "trial \(trial)")
            try file.close()
        }
    }

    @Test func readsRecordWhatTheFileHoldsAndOverlapsKeepTheFirst() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var random = Generator(state: 10)
        for trial in 0..<40 {
            let path = directory.path("r\(trial)")
            let bytes = random.bytes(random.below(200_000))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let file = try FileDescriptor.openForReading(path, digest: ByteRangeDigest())
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 50_000, alignment: 8)
            defer { buffer.deallocate() }
            for _ in 0..<random.below(30) {
                let at = random.below(bytes.count + 1)
                _ = try file.pread(
                    into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<random.below(50_000)]), at: at)
            }
            let crc = try file.digest!.crc32c(size: bytes.count) { try file.preadUnrecorded(into: $0, at: $1) }
            #expect(crc == BitwiseCRC32C.checksum(bytes), "trial \(trial)")
        }
    }

    @Test func aWholeFileWrittenInParallelSegmentsIsNeverReadBack() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("segments")
        let file = try FileDescriptor.createExclusive(path, readable: true)
        let sink = FileOutputSink(descriptor: file, name: path, digest: ByteRangeDigest())
        var random = Generator(state: 11)
        let bytes = random.bytes(3 << 20)
        let segment = 100_003
        let segments = (bytes.count + segment - 1) / segment
        try bytes.withUnsafeBytes { raw in
            nonisolated(unsafe) let whole = raw
            try sink.setLength(whole.count)
            DispatchQueue.concurrentPerform(iterations: segments) { index in
                let range = (index * segment)..<min(whole.count, (index + 1) * segment)
                var at = range.lowerBound
                while at < range.upperBound {  // chunks of 4 KiB within the segment
                    let end = min(range.upperBound, at + 4096)
                    try? sink.write(UnsafeRawBufferPointer(rebasing: whole[at..<end]), at: at)
                    at = end
                }
            }
        }
        #expect(sink.digest!.recordedByteCount == bytes.count)
        let crc = try sink.digest!.crc32c(size: bytes.count) { _, _ in
            Issue.record("a byte was read back")
            return 0
        }
        #expect(crc == BitwiseCRC32C.checksum(bytes))
        #expect(crc == (try onDisk(path)))
    }
}
