import Testing

@testable import NPZContainer

@Suite struct ZlibWrapperTests {
    @Test func crc32MatchesTheStandardCheckValue() {
        let bytes = Array("123456789".utf8)
        #expect(crc32(bytes) == 0xCBF4_3926)
        #expect(crc32([]) == 0)
    }

    @Test func crc32UpdatesIncrementallyAndCombines() {
        let data = testBytes(count: 100_003, seed: 7)
        for split in [0, 1, 4_096, 50_000, 100_003] {
            var running = CRC32()
            data[..<split].withUnsafeBytes { running.update($0) }
            data[split...].withUnsafeBytes { running.update($0) }
            #expect(running.value == crc32(data), "split \(split)")
            let combined = CRC32.combine(
                crc32(Array(data[..<split])), crc32(Array(data[split...])), lengthOfB: UInt64(data.count - split))
            #expect(combined == crc32(data), "combine at \(split)")
        }
    }

    @Test func deflateThenInflateRoundTripsAtEveryLevel() throws {
        let data = testBytes(count: 200_000, seed: 3, runs: true)
        for level in -1...9 {
            let packed = deflateRaw(data, level: level)
            #expect(try inflateAll(packed, chunk: 777) == data, "level \(level)")
        }
    }

    /// Byte identity with np.savez_compressed relies on deflate's output not depending on how the
    /// input is split into calls (Python's zipfile compresses in whatever chunks NumPy writes).
    @Test func deflateOutputDoesNotDependOnInputChunking() throws {
        let data = testBytes(count: 300_000, seed: 11, runs: true) + testBytes(count: 70_000, seed: 12)
        for level in [-1, 1, 9] {
            let whole = deflateRaw(data, level: level)
            for chunk in [1, 13, 4_096, 65_537] {
                #expect(try deflateInChunks(data, chunk: chunk, level: level) == whole, "level \(level) chunk \(chunk)")
            }
        }
    }

    /// pigz-style: blocks deflated separately (sync flush, previous 32 KiB as dictionary), then
    /// concatenated, inflate to the whole input; CRCs combine.
    @Test func syncFlushedBlocksConcatenateIntoOneStream() throws {
        let data = testBytes(count: 250_000, seed: 5, runs: true)
        let blockSize = 64 * 1024
        var stream: [UInt8] = []
        var crc: UInt32 = 0
        var start = 0
        while start < data.count {
            let end = min(data.count, start + blockSize)
            let last = end == data.count
            let deflater = try DeflateStream(level: 6)
            if start > 0 {
                try data[max(0, start - 32_768)..<start].withUnsafeBytes { try deflater.setDictionary($0) }
            }
            stream += try runDeflate(deflater, Array(data[start..<end]), flush: last ? .finish : .sync)
            crc = CRC32.combine(crc, crc32(Array(data[start..<end])), lengthOfB: UInt64(end - start))
            start = end
        }
        #expect(try inflateAll(stream, chunk: 1_000) == data)
        #expect(crc == crc32(data))
    }

    @Test func inflateReportsCorruptDataAsAnError() throws {
        var packed = deflateRaw(testBytes(count: 10_000, seed: 1, runs: true))
        packed[0] = 0xFF  // reserved block type 3
        #expect(throws: ZipError.self) { try inflateAll(packed, chunk: 100) }
    }

    @Test func initRejectsBadParameters() {
        #expect(throws: ZipError.self) { try DeflateStream(level: 42) }
        #expect(throws: ZipError.self) { try InflateStream(windowBits: 99) }
    }

    private func runDeflate(_ deflater: DeflateStream, _ input: [UInt8], flush: DeflateFlush) throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1_000)
        var consumed = 0
        while true {
            let p = try input.withUnsafeBytes { i in
                try buffer.withUnsafeMutableBytes { o in
                    try deflater.process(UnsafeRawBufferPointer(rebasing: i[consumed...]), into: o, flush: flush)
                }
            }
            consumed += p.consumed
            out += buffer[0..<p.produced]
            if p.streamEnded || (flush != .finish && consumed == input.count && p.produced < buffer.count) { break }
        }
        return out
    }

    private func deflateInChunks(_ data: [UInt8], chunk: Int, level: Int) throws -> [UInt8] {
        let deflater = try DeflateStream(level: level)
        var out: [UInt8] = []
        var start = 0
        while start < data.count {
            let end = min(data.count, start + chunk)
            out += try runDeflate(deflater, Array(data[start..<end]), flush: .none)
            start = end
        }
        out += try runDeflate(deflater, [], flush: .finish)
        return out
    }

    private func inflateAll(_ packed: [UInt8], chunk: Int) throws -> [UInt8] {
        let inflater = try InflateStream()
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        var consumed = 0
        while true {
            let p = try packed.withUnsafeBytes { i in
                try buffer.withUnsafeMutableBytes { o in
                    try inflater.process(UnsafeRawBufferPointer(rebasing: i[consumed...]), into: o)
                }
            }
            consumed += p.consumed
            out += buffer[0..<p.produced]
            if p.streamEnded { return out }
            if p.consumed == 0 && p.produced == 0 {
                throw ZipError.zlib(operation: "test inflate", code: -5, message: "stuck")
            }
        }
    }
}
