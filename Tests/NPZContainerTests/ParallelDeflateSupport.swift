import Foundation
import Testing

@testable import NPZContainer

/// Helpers for the parallel deflate tests: a sequential pigz-style reference, raw member bytes,
/// plain zlib inflate, and write patterns.
enum ParallelDeflateSupport {
    /// The reference encoding, block by block on one thread with fresh zlib streams: block k is
    /// input[k*B ..< (k+1)*B] primed with the 32 KiB before it, sync-flushed, the last one finished;
    /// a member of at most one block is one finished stream. The parallel writer must give exactly this.
    static func referenceBlocks(_ data: [UInt8], level: Int, blockSize: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        repeat {
            let end = min(data.count, start + blockSize)
            let last = end == data.count
            let deflater = try DeflateStream(level: level)
            if start > 0 {
                try data[max(0, start - 32_768)..<start].withUnsafeBytes { try deflater.setDictionary($0) }
            }
            out += try deflateAll(deflater, Array(data[start..<end]), flush: last ? .finish : .sync)
            start = end
        } while start < data.count
        return out
    }

    /// One stream, as `ZipWriteMethod.deflated(level:)` writes it.
    static func singleStream(_ data: [UInt8], level: Int) throws -> [UInt8] {
        try deflateAll(DeflateStream(level: level), data, flush: .finish)
    }

    /// Runs `flush` over all of `input` through a small output buffer until zlib is done.
    static func deflateAll(_ deflater: DeflateStream, _ input: [UInt8], flush: DeflateFlush) throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var consumed = 0
        while true {
            let p = try input.withUnsafeBytes { i in
                try buffer.withUnsafeMutableBytes { o in
                    try deflater.process(UnsafeRawBufferPointer(rebasing: i[consumed...]), into: o, flush: flush)
                }
            }
            consumed += p.consumed
            out += buffer[0..<p.produced]
            if flush == .finish ? p.streamEnded : (consumed == input.count && p.produced < buffer.count) { break }
        }
        return out
    }

    /// Inflates a raw deflate stream with zlib; throws if it is corrupt, does not end, or has bytes after its end.
    static func inflateRaw(_ packed: [UInt8]) throws -> [UInt8] {
        let inflater = try InflateStream()
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var consumed = 0
        while true {
            let p = try packed.withUnsafeBytes { i in
                try buffer.withUnsafeMutableBytes { o in
                    try inflater.process(UnsafeRawBufferPointer(rebasing: i[consumed...]), into: o)
                }
            }
            consumed += p.consumed
            out += buffer[0..<p.produced]
            if p.streamEnded {
                guard consumed == packed.count else {
                    throw ZipError.zlib(
                        operation: "test inflate", code: -3, message: "\(packed.count - consumed) bytes after the end")
                }
                return out
            }
            if p.consumed == 0 && p.produced == 0 {
                throw ZipError.zlib(operation: "test inflate", code: -5, message: "no end marker")
            }
        }
    }

    /// The stored data of `entry` (its compressed bytes), read from the archive's bytes.
    static func rawData(of entry: ZipEntry, in archive: [UInt8]) -> [UInt8] {
        let header = Int(entry.localHeaderOffset)
        let start = header + 30 + Int(archive.readLE16(at: header + 26)) + Int(archive.readLE16(at: header + 28))
        return Array(archive[start..<(start + Int(entry.compressedSize))])
    }

    /// Writes `data` as one member named "x.npy" with `method`, cut into writes of the given sizes
    /// (cycled), and returns the archive's bytes.
    static func archive(
        _ data: [UInt8], method: ZipWriteMethod, writes sizes: [Int], in dir: TemporaryDirectory
    ) throws -> [UInt8] {
        try archive(data, method: method, writes: sizes, inFolder: dir.url.path)
    }

    static func archive(
        _ data: [UInt8], method: ZipWriteMethod, writes sizes: [Int], inFolder folder: String
    ) throws -> [UInt8] {
        let path = folder + "/p-\(UUID().uuidString).npz"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try ZipArchiveWriter(path: path)
        let sink = try writer.beginMember(name: "x.npy", method: method)
        var start = 0
        var k = 0
        while start < data.count {
            let end = min(data.count, start + max(1, sizes[k % sizes.count]))
            try data[start..<end].withUnsafeBytes { try sink.write($0) }
            start = end
            k += 1
        }
        try sink.finish()
        try writer.finish()
        return try readFile(path)
    }

    /// Little-endian float32 values like the benchmark data: roughly normal (sum of uniforms), and
    /// `zeroFraction` of them exactly 0 (dropout output).
    static func floatData(count: Int, seed: UInt64, zeroFraction: Double = 0) -> [UInt8] {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
        var out = [UInt8](repeating: 0, count: count * 4)
        for i in 0..<count {
            var value: Float = 0
            let draw = next()
            if Double(draw >> 11) / Double(1 << 53) >= zeroFraction {
                var sum: Float = 0
                for _ in 0..<4 { sum += Float(next() >> 40) / Float(1 << 24) }
                value = (sum - 2) * 1.7
            }
            let bits = value.bitPattern
            for b in 0..<4 { out[4 * i + b] = UInt8(truncatingIfNeeded: bits >> (8 * UInt32(b))) }
        }
        return out
    }
}
