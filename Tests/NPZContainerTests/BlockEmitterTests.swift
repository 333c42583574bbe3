import Foundation
import NPYStream
import Testing

@testable import NPZContainer

/// An `OutputSink` that keeps the archive in memory, counts how often each byte is written, and
/// fails (once past `failAfter` bytes written) like a full disk. Writes may come from a deflate worker.
private final class MemorySink: OutputSink, @unchecked Sendable {
    let name = "memory.npz"
    private let lock = NSLock()
    private var stored: [UInt8] = []
    private var times: [UInt8] = []
    private var total = 0
    private(set) var length = 0
    let failAfter: Int?

    init(failAfter: Int? = nil) { self.failAfter = failAfter }

    struct Full: Error, CustomStringConvertible {
        var description: String { "no space left on the test sink" }
    }

    func write(_ chunk: UnsafeRawBufferPointer, at offset: Int) throws {
        try lock.withLock {
            if let failAfter, total + chunk.count > failAfter { throw Full() }
            total += chunk.count
            if stored.count < offset + chunk.count {
                stored += [UInt8](repeating: 0, count: offset + chunk.count - stored.count)
                times += [UInt8](repeating: 0, count: offset + chunk.count - times.count)
            }
            for (i, byte) in chunk.enumerated() {
                stored[offset + i] = byte
                times[offset + i] &+= 1
            }
        }
    }

    func setLength(_ length: Int) throws { lock.withLock { self.length = length } }
    var descriptorForKernelCopy: FileDescriptor? { nil }
    var bytes: [UInt8] { lock.withLock { stored } }
    var timesWritten: [UInt8] { lock.withLock { times } }
    var bytesWritten: Int { lock.withLock { total } }
}

/// Compressed blocks are written to the archive by whichever thread finished the block next in
/// line (`DeflateBlockEmitter`), mostly a worker: the archive's bytes must not depend on that.
@Suite struct BlockEmitterTests {
    typealias Support = ParallelDeflateSupport
    static let block = 32_768

    private static func writeMembers(
        _ members: [(String, [UInt8])], method: ZipWriteMethod, into sink: MemorySink, chunk: Int
    ) throws {
        let writer = ZipArchiveWriter(sink: sink)
        for (name, data) in members {
            let member = try writer.beginMember(name: name, method: method)
            var start = 0
            while start < data.count {
                let end = min(data.count, start + chunk)
                try data[start..<end].withUnsafeBytes { try member.write($0) }
                start = end
            }
            try writer.finishMember()
        }
        try writer.finish()
    }

    /// Members of sizes around block boundaries, written with 1, 2 and 7 threads through any sink,
    /// give the bytes of a one-thread archive file, each byte sent once, and inflate to their data.
    @Test(arguments: [
        ZipWriteMethod.isalBlocks(blockSize: block, threads: 1),
        .parallelDeflated(level: 1, blockSize: block, threads: 1),
    ])
    func bytesDoNotDependOnTheEmittingThread(reference: ZipWriteMethod) throws {
        let sizes = [0, 1, Self.block - 1, Self.block, Self.block + 1, 3 * Self.block, 9 * Self.block + 17]
        let members = sizes.enumerated().map { i, count in
            (
                "m\(i).npy",
                Support.floatData(count: count / 4, seed: UInt64(i + 1), zeroFraction: 0.3)
                    + testBytes(count: count % 4, seed: 9)
            )
        }
        let dir = try TemporaryDirectory()
        try writeArchive(dir.path("one.npz"), members, method: reference, chunk: 10_000)
        let expected = try readFile(dir.path("one.npz"))
        for threads in [1, 2, 7] {
            let method =
                reference.engine == .isal
                ? ZipWriteMethod.isalBlocks(blockSize: Self.block, threads: threads)
                : .parallelDeflated(level: 1, blockSize: Self.block, threads: threads)
            for chunk in [777, Self.block, 1 << 20] {
                let sink = MemorySink()
                try Self.writeMembers(members, method: method, into: sink, chunk: chunk)
                #expect(sink.bytes == expected, "threads \(threads), writes of \(chunk)")
                #expect(sink.timesWritten.allSatisfy { $0 == 1 }, "threads \(threads), writes of \(chunk)")
                #expect(sink.length == expected.count)
            }
        }
        let reader = try ZipArchiveReader(path: dir.path("one.npz"))
        for (entry, member) in zip(reader.entries, members) {
            #expect(try readMember(reader, entry) == member.1, "\(entry.name)")
        }
    }

    /// A destination that fails while blocks are being written (on a worker) fails the member: a
    /// later `write` or `finishMember` throws the sink's error located in the archive, the writer
    /// refuses further use, and nothing more reaches the sink once the call has thrown.
    @Test(arguments: [1, 2, 7])
    func aFailedBlockWriteIsThrownByTheWritingThread(threads: Int) throws {
        let data = Support.floatData(count: 40 * Self.block / 4, seed: 5)
        for failAfter in [0, 100, 3 * Self.block, 20 * Self.block] {
            let sink = MemorySink(failAfter: failAfter)
            let writer = ZipArchiveWriter(sink: sink)
            var thrown: (any Error)?
            do {
                let member = try writer.beginMember(
                    name: "x.npy", method: .isalBlocks(blockSize: Self.block, threads: threads))
                var start = 0
                while start < data.count {
                    let end = min(data.count, start + 5_000)
                    try data[start..<end].withUnsafeBytes { try member.write($0) }
                    start = end
                }
                try writer.finishMember()
                try writer.finish()
            } catch {
                thrown = error
            }
            let message = thrown.map { "\($0)" } ?? "nothing thrown"
            #expect(message.contains("memory.npz"), "fail after \(failAfter): \(message)")
            #expect(message.contains("pwrite failed"), "fail after \(failAfter): \(message)")
            let written = sink.bytesWritten
            #expect(written <= failAfter)
            #expect(throws: (any Error).self) { try writer.finish() }
            #expect(sink.bytesWritten == written, "fail after \(failAfter): written after the failure")
        }
    }

    /// A member abandoned mid-stream (its sink and writer released while blocks are still being
    /// compressed and written) writes nothing once the release returned.
    @Test(arguments: [2, 7])
    func anAbandonedMemberStopsWriting(threads: Int) throws {
        let data = Support.floatData(count: 30 * Self.block / 4, seed: 6)
        let sink = MemorySink()
        do {
            let writer = ZipArchiveWriter(sink: sink)
            let member = try writer.beginMember(
                name: "x.npy", method: .isalBlocks(blockSize: Self.block, threads: threads))
            try data.withUnsafeBytes { try member.write($0) }
        }
        let written = sink.bytesWritten
        Thread.sleep(forTimeInterval: 0.05)
        #expect(sink.bytesWritten == written)
    }
}

private func readMember(_ reader: ZipArchiveReader, _ entry: ZipEntry) throws -> [UInt8] {
    let source = try reader.openMember(entry)
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let got = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        if got == 0 { return out }
        out += buffer[0..<got]
    }
}

/// Bytes given through `ZipMemberSink.writeInPlace` (straight into the block being filled) make
/// the archive `write` makes, whatever the lent sizes, block boundaries and threads.
@Suite struct InPlaceMemberTests {
    static let block = 32_768

    @Test(arguments: [1, 2, 7])
    func writingInPlaceGivesTheBytesOfWrite(threads: Int) throws {
        let dir = try TemporaryDirectory()
        let method = ZipWriteMethod.isalBlocks(blockSize: Self.block, threads: threads)
        for count in [1, Self.block - 1, Self.block, Self.block + 1, 5 * Self.block + 3] {
            let data = ParallelDeflateSupport.floatData(count: count / 4 + 1, seed: UInt64(count))[0..<count]
            try writeArchive(dir.path("ref.npz"), [("x.npy", Array(data))], method: method, chunk: 10_000)
            let expected = try readFile(dir.path("ref.npz"))
            for limit in [1, 777, Self.block, 1 << 20] {
                let writer = try ZipArchiveWriter(path: dir.path("lent.npz"))
                let member = try writer.beginMember(name: "x.npy", method: method)
                #expect(member.lendsMemory)
                var start = 0
                while start < data.count {
                    let got = try member.writeInPlace(limit: min(limit, data.count - start)) { room in
                        let n = min(room.count, 5_000)
                        data.withUnsafeBytes { all in
                            room.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[start..<(start + n)]))
                        }
                        return n
                    }
                    #expect(got > 0)
                    start += got
                }
                try writer.finishMember()
                try writer.finish()
                #expect(try readFile(dir.path("lent.npz")) == expected, "\(count) bytes, lent up to \(limit)")
            }
        }
    }

    /// An error thrown by the filling closure comes out as thrown, and the stored member lends nothing.
    @Test func fillErrorsPassThroughAndStoredMembersLendNothing() throws {
        struct Refused: Error {}
        let dir = try TemporaryDirectory()
        let writer = try ZipArchiveWriter(path: dir.path("e.npz"))
        let member = try writer.beginMember(name: "x.npy", method: .isalBlocks(blockSize: Self.block, threads: 2))
        #expect(throws: Refused.self) { _ = try member.writeInPlace(limit: 10) { _ in throw Refused() } }
        try writer.finishMember()
        let stored = try writer.beginMember(name: "y.npy", method: .stored)
        #expect(!stored.lendsMemory)
    }
}
