import Dispatch
import Foundation
import NPDropTestSupport
import NPYStream
import Testing

/// A coalescing `FileOutputSink` (a run's outputs) writes exactly the bytes a plain one writes,
/// however the writes, lengths and overwrites come; it holds a small header until the next write
/// and knows the file's length without asking the system. `FileRegionSource`'s read-ahead gives
/// the bytes plain reads give.
@Suite struct CoalescingSinkTests {
    private struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
    }

    private enum Operation {
        case write([UInt8], at: Int)
        case setLength(Int)
    }

    /// Sequences like a job's: an optional first length, a header at 0, data after it, and now
    /// and then an overwrite at 0 (a zip header patched), a write elsewhere or a later cut.
    private func operations(_ random: inout Generator) -> [Operation] {
        var ops: [Operation] = []
        let header = random.below(5) == 0 ? 5000 : random.below(200)
        let size = header + random.below(20_000)
        if random.below(2) == 0 { ops.append(.setLength(size + random.below(3) - 1)) }
        if header > 0 { ops.append(.write(random.bytes(header), at: 0)) }
        var at = header + (random.below(4) == 0 ? random.below(50) : 0)
        while at < size {
            let count = min(size - at, 1 + random.below(8000))
            ops.append(.write(random.bytes(count), at: at))
            at += count
            if random.below(6) == 0 { ops.append(.write(random.bytes(min(header + 1, 64)), at: 0)) }
        }
        if random.below(5) == 0 { ops.append(.setLength(random.below(size + 100))) }
        if random.below(5) == 0 { ops.append(.write(random.bytes(30), at: random.below(size + 1))) }
        return ops
    }

    private func apply(_ ops: [Operation], to sink: FileOutputSink) throws {
        for op in ops {
            switch op {
            case .write(let bytes, let at): try bytes.withUnsafeBytes { try sink.write($0, at: at) }
            case .setLength(let length): try sink.setLength(length)
            }
        }
    }

    @Test func aCoalescingSinkWritesThePlainSinksBytes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var random = Generator(state: 21)
        for trial in 0..<150 {
            let ops = operations(&random)
            let plainPath = directory.path("plain\(trial)")
            let joinedPath = directory.path("joined\(trial)")
            let plainFile = try FileDescriptor.createExclusive(plainPath, readable: true)
            let joinedFile = try FileDescriptor.createExclusive(joinedPath, readable: trial % 2 == 0)
            let plain = FileOutputSink(descriptor: plainFile, name: plainPath)
            let joined = FileOutputSink(
                descriptor: joinedFile, name: joinedPath, digest: ByteRangeDigest(), coalescing: true)
            try apply(ops, to: plain)
            try apply(ops, to: joined)
            let length = try joined.finishPendingWrites()
            let expected = try Data(contentsOf: URL(fileURLWithPath: plainPath))
            let got = try Data(contentsOf: URL(fileURLWithPath: joinedPath))
            #expect(got == expected, "trial \(trial)")
            #expect(length == expected.count, "trial \(trial)")
            if trial % 2 == 0 {  // the digest reads back what an overwrite made it drop
                #expect(
                    try joined.contentCRC32C(size: got.count) == BitwiseCRC32C.checksum(expected), "trial \(trial)")
            }
            try plainFile.close()
            try joinedFile.close()
        }
    }

    @Test func theHeaderWaitsForTheDataAndTheLengthForTheEnd() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("held")
        let file = try FileDescriptor.createExclusive(path)
        let sink = FileOutputSink(descriptor: file, name: path, coalescing: true)
        let header = [UInt8](repeating: 7, count: 128)
        let data = [UInt8](repeating: 9, count: 1024)
        try sink.setLength(2000)
        try header.withUnsafeBytes { try sink.write($0, at: 0) }
        #expect(try file.status().size == 0)  // neither the length nor the header reached the file
        try data.withUnsafeBytes { try sink.write($0, at: 128) }
        #expect(try file.status().size == 1152)  // header and data went out together
        #expect(try sink.finishPendingWrites() == 2000)
        #expect(try file.status().size == 2000)  // the remembered length, past the writes
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes == Data(header + data + [UInt8](repeating: 0, count: 848)))
        try file.close()
    }

    @Test func aHeldHeaderIsWrittenByFinishAlone() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("only-header")
        let file = try FileDescriptor.createExclusive(path)
        let sink = FileOutputSink(descriptor: file, name: path, coalescing: true)
        try [UInt8](repeating: 3, count: 10).withUnsafeBytes { try sink.write($0, at: 0) }
        #expect(try sink.finishPendingWrites() == 10)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(repeating: 3, count: 10))
        #expect(sink.descriptorForKernelCopy === file)
        try file.close()
    }

    @Test func parallelSegmentsAfterAHeldHeader() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("segments")
        let file = try FileDescriptor.createExclusive(path, readable: true)
        let sink = FileOutputSink(descriptor: file, name: path, digest: ByteRangeDigest(), coalescing: true)
        var random = Generator(state: 22)
        let bytes = random.bytes(1 << 20)
        let header = 128
        try bytes.withUnsafeBytes { raw in
            nonisolated(unsafe) let whole = raw
            try sink.setLength(whole.count)
            try sink.write(UnsafeRawBufferPointer(rebasing: whole[0..<header]), at: 0)
            let segment = 50_001
            let segments = (whole.count - header + segment - 1) / segment
            DispatchQueue.concurrentPerform(iterations: segments) { index in
                let start = header + index * segment
                let range = start..<min(whole.count, start + segment)
                try? sink.write(UnsafeRawBufferPointer(rebasing: whole[range]), at: range.lowerBound)
            }
        }
        #expect(try sink.finishPendingWrites() == bytes.count)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        #expect(try sink.contentCRC32C(size: bytes.count) == BitwiseCRC32C.checksum(bytes))
        try file.close()
    }

    @Test func readAheadGivesThePlainReadsBytes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var random = Generator(state: 23)
        for trial in 0..<40 {
            let path = directory.path("r\(trial)")
            let bytes = random.bytes(random.below(12_000))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let file = try FileDescriptor.openForReading(path)
            let offset = random.below(bytes.count + 1)
            let length = random.below(bytes.count - offset + 10)
            let source = FileRegionSource(
                descriptor: file, offset: offset, length: length, readAhead: 1 + random.below(5000))
            var got: [UInt8] = []
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 6000, alignment: 8)
            defer { buffer.deallocate() }
            while true {
                let n = try source.read(
                    into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(1 + random.below(6000))]))
                if n == 0 { break }
                got += UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            }
            #expect(got == Array(bytes[offset..<min(bytes.count, offset + length)]), "trial \(trial)")
        }
    }

    @Test func readAheadServesSmallReadsFromOneFetch() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("ahead")
        try Data((0..<200).map { UInt8($0) }).write(to: URL(fileURLWithPath: path))
        let file = try FileDescriptor.openForReading(path)
        let source = FileRegionSource(descriptor: file, offset: 0, length: 200, readAhead: 4096)
        var first = [UInt8](repeating: 0, count: 8)
        #expect(try first.withUnsafeMutableBytes { try source.read(into: $0) } == 8)
        // The file is cut after the first read: the rest still comes from the one fetch.
        #expect(truncate(path, 0) == 0)
        var rest = [UInt8](repeating: 0, count: 300)
        #expect(try rest.withUnsafeMutableBytes { try source.read(into: $0) } == 192)
        #expect(first + rest[0..<192] == (0..<200).map { UInt8($0) })
    }
}
