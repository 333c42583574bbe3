import NPYStream

/// A source that passes every byte it reads from `source` on to `sink` as well: reading an
/// npz member's header through it (to report shape and dtype) while copying the member
/// unchanged.
final class TeeByteSource: ByteSource {
    private let source: any ByteSource
    private let sink: (any ByteSink)?

    /// Reads from `source`, copying to `sink` (nil: only reads, e.g. when the bytes reach their
    /// destination another way).
    init(source: any ByteSource, sink: (any ByteSink)?) {
        self.source = source
        self.sink = sink
    }

    /// Reads up to `buffer.count` bytes from the source and writes them to the sink before
    /// returning the count. Throws what either throws.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try source.read(into: buffer)
        if count > 0, let sink { try sink.write(UnsafeRawBufferPointer(rebasing: buffer[..<count])) }
        return count
    }

    /// Copies the rest of the source to the sink through `buffer`.
    func drain(using buffer: UnsafeMutableRawBufferPointer) throws {
        while try read(into: buffer) > 0 {}
    }
}
