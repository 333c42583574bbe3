import Foundation
import NPYFormat
import Testing

@testable import NPYStream

@Suite struct IOLoopTests {
    @Test func interruptsAreRetried() throws {
        var calls = 0
        let result = try IOLoop.retryingInterrupts("fake") {
            calls += 1
            if calls < 4 { errno = EINTR; return -1 }
            return 42
        }
        #expect(result == 42 && calls == 4)
    }

    @Test func otherErrorsAreThrown() {
        #expect(throws: NPYStreamError.system(operation: "fake", code: EIO)) {
            try IOLoop.retryingInterrupts("fake") {
                errno = EIO; return -1
            }
        }
    }

    @Test func shortReadsAreLoopedUntilFullOrEnd() throws {
        var offsets: [Int] = []
        let total = try IOLoop.fill("fake", count: 10) { done in
            offsets.append(done)
            if offsets.count == 2 { errno = EINTR; return -1 }
            return min(3, 10 - done)
        }
        #expect(total == 10)
        #expect(offsets == [0, 3, 3, 6, 9])
        let atEnd = try IOLoop.fill("fake", count: 10) { done in done < 4 ? 2 : 0 }
        #expect(atEnd == 4)
    }

    @Test func shortWritesAreLoopedAndZeroIsAnError() throws {
        var offsets: [Int] = []
        try IOLoop.drain("fake", count: 7) { done in
            offsets.append(done)
            return min(2, 7 - done)
        }
        #expect(offsets == [0, 2, 4, 6])
        #expect(throws: NPYStreamError.noProgress(operation: "fake")) {
            try IOLoop.drain("fake", count: 7) { _ in 0 }
        }
    }
}

nonisolated(unsafe) private var signalsHandled = 0

@Suite struct PipeAndFileTests {
    /// Makes a pipe; returns (read end, write end) descriptors that close themselves.
    static func pipe() throws -> (FileDescriptor, FileDescriptor) {
        var fds: [Int32] = [0, 0]
        #expect(Glibc.pipe(&fds) == 0)
        return (
            FileDescriptor(rawValue: fds[0], path: "<pipe>", owning: true),
            FileDescriptor(rawValue: fds[1], path: "<pipe>", owning: true)
        )
    }

    @Test func readerWorksOnANonSeekablePipe() throws {
        let (file, data) = ReaderTests.sample(shape: [300, 70])
        let (readEnd, writeEnd) = try Self.pipe()
        let writer = Thread {
            // Dribble the file in uneven pieces so reads come back short.
            var offset = 0
            var piece = 1
            file.withUnsafeBytes { bytes in
                while offset < bytes.count {
                    let count = min(piece, bytes.count - offset)
                    try? writeEnd.writeAll(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
                    offset += count
                    piece = piece * 3 % 4099 + 1
                }
            }
            try? writeEnd.close()
        }
        writer.start()
        let reader = try NPYReader(source: FileByteSource(descriptor: readEnd), name: "<pipe>")
        #expect(reader.header.shape == [300, 70])
        #expect(try readAllData(reader, chunkSize: 1000) == data)
    }

    @Test func readRetriesWhenASignalInterruptsIt() throws {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in signalsHandled += 1 }
        action.sa_flags = 0  // no SA_RESTART: a blocked read returns EINTR
        sigemptyset(&action.sa_mask)
        #expect(sigaction(SIGUSR1, &action, nil) == 0)

        let (readEnd, writeEnd) = try Self.pipe()
        let readerThread = LockedBox<pthread_t?>(nil)
        let result = LockedBox<Result<[UInt8], any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            // The signal may be blocked process-wide (inherited mask); let this thread take it.
            var mask = sigset_t()
            sigemptyset(&mask)
            sigaddset(&mask, SIGUSR1)
            pthread_sigmask(SIG_UNBLOCK, &mask, nil)
            readerThread.value = pthread_self()
            var buffer = [UInt8](repeating: 0, count: 4)
            result.value = Result {
                let count = try buffer.withUnsafeMutableBytes {
                    try FileByteSource(descriptor: readEnd).readFully(into: $0)
                }
                return Array(buffer[..<count])
            }
            done.signal()
        }
        thread.start()
        while readerThread.value == nil { usleep(1000) }
        for _ in 0..<5 {
            usleep(20_000)
            if let target = readerThread.value { pthread_kill(target, SIGUSR1) }
        }
        try [UInt8]([1, 2, 3, 4]).withUnsafeBytes { try writeEnd.writeAll($0) }
        done.wait()
        #expect(try result.value?.get() == [1, 2, 3, 4])
        #expect(signalsHandled > 0)
    }

    @Test func positionedReadsAndWrites() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("p.bin")
        let output = try FileDescriptor.createExclusive(path)
        try output.truncate(to: 100)
        try [UInt8](repeating: 0xAB, count: 10).withUnsafeBytes { try output.pwriteAll($0, at: 50) }
        try [UInt8]([1, 2, 3]).withUnsafeBytes { try output.pwriteAll($0, at: 0) }
        try output.close()

        let input = try FileDescriptor.openForReading(path)
        #expect(try input.status().size == 100)
        #expect(try input.status().isRegularFile)
        var buffer = [UInt8](repeating: 0, count: 12)
        let count = try buffer.withUnsafeMutableBytes { try input.pread(into: $0, at: 49) }
        #expect(count == 12)
        #expect(buffer == [0] + [UInt8](repeating: 0xAB, count: 10) + [0])
        let tail = try buffer.withUnsafeMutableBytes { try input.pread(into: $0, at: 95) }
        #expect(tail == 5)

        let region = FileRegionSource(descriptor: input, offset: 1, length: 60)
        var collected: [UInt8] = []
        var small = [UInt8](repeating: 0, count: 7)
        while true {
            let n = try small.withUnsafeMutableBytes { try region.read(into: $0) }
            if n == 0 { break }
            collected += small[..<n]
        }
        #expect(collected.count == 60)
        #expect(collected.prefix(2) == [2, 3])
        #expect(collected.suffix(11) == [UInt8](repeating: 0xAB, count: 10) + [0])
    }

    @Test func createExclusiveRefusesAnExistingFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("e")
        _ = try FileDescriptor.createExclusive(path)
        do {
            _ = try FileDescriptor.createExclusive(path)
            Issue.record("created twice")
        } catch let error as FileError {
            #expect(error.underlying as? NPYStreamError == .system(operation: "create", code: EEXIST))
        }
    }
}

/// A value shared between threads in tests, behind a lock.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
