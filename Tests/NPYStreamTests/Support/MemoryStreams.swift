import NPYStream

/// A source over bytes in memory that returns at most `maxRead` bytes per call (or a varying
/// amount from `pattern`), to show that chunking and short reads change nothing.
final class MemorySource: ByteSource {
    let bytes: [UInt8]
    private(set) var position = 0
    private let pattern: [Int]
    private var call = 0

    init(_ bytes: [UInt8], readSizes pattern: [Int] = [Int.max]) {
        self.bytes = bytes
        self.pattern = pattern
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let limit = pattern[call % pattern.count]
        call += 1
        let count = min(buffer.count, bytes.count - position, max(1, limit))
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: count)
        }
        position += count
        return count
    }
}

/// A sink collecting everything written to it.
final class MemorySink: ByteSink {
    private(set) var bytes: [UInt8] = []

    func write(_ data: UnsafeRawBufferPointer) throws {
        bytes.append(contentsOf: data)
    }
}

/// Reads every data byte of `reader` with chunks of `chunkSize`.
func readAllData(_ reader: NPYReader, chunkSize: Int = 4096) throws -> [UInt8] {
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: chunkSize)
    while true {
        let count = try buffer.withUnsafeMutableBytes { try reader.readChunk(into: $0) }
        if count == 0 { break }
        data += buffer[..<count]
    }
    return data
}
