// libFuzzer target: the streaming .npy reader (and the np.save writer) over arbitrary bytes.
//
// Properties checked for every input (a failure crashes, so libFuzzer keeps the input):
// - NPYReader never traps, hangs or over-allocates, whatever the header claims (huge shapes over
//   a few bytes of data end in a typed "truncated" error, not an allocation);
// - every error is a FileError whose one-line message starts with the file name;
// - the outcome (header, data bytes, error message) is the same whether the source returns
//   everything at once or a few bytes per read, and whatever the chunk size;
// - a chunk whose size is a multiple of the item size receives whole elements; the reader never
//   delivers more data than the header announces;
// - the rate-0 copy (NPYReader.copyData → NPYWriter) writes np.save's header for the array and
//   the same data bytes, and the copy reads back to the same array.
import NPYFormat
import NPYStream

let fileName = "fuzz.npy"

@_cdecl("LLVMFuzzerTestOneInput")
public func npdropFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let whole = readAll(bytes, readSizes: [Int.max], chunkElements: 4096)
    // Short reads of 1 to 7 bytes and odd chunk sizes must change nothing.
    let pattern = [1 + bytes.count % 7, 3, 64, 1, 5]
    let short = readAll(bytes, readSizes: pattern, chunkElements: 1 + bytes.count % 5)
    fuzzRequire(whole == short, "outcome depends on read sizes: \(whole) vs \(short)")
    if case .success(let header, let data, _) = whole {
        checkCopy(bytes, header: header, data: data)
    }
    return 0
}

/// What reading an input gave: the header, all data bytes and whether trailing bytes were seen, or the error text.
enum Outcome: Equatable {
    case success(NPYHeader, [UInt8], trailing: Bool)
    case failure(String)
}

/// Reads the header and all data of `bytes` through a source returning at most `readSizes[i]` bytes
/// per call, in chunks of `chunkElements` elements.
func readAll(_ bytes: [UInt8], readSizes: [Int], chunkElements: Int) -> Outcome {
    let source = MemorySource(bytes, readSizes: readSizes)
    do {
        let reader = try NPYReader(source: source, name: fileName)
        let header = reader.header
        let itemSize = header.dtype.itemSize
        fuzzRequire(header.dataByteCount >= 0, "negative data size")
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunkElements * itemSize)
        while true {
            let before = reader.dataBytesRead
            let count = try buffer.withUnsafeMutableBytes { try reader.readChunk(into: $0) }
            if count == 0 { break }
            fuzzRequire(count % itemSize == 0, "chunk of \(count) bytes is not whole \(itemSize)-byte elements")
            fuzzRequire(reader.dataBytesRead == before + count, "dataBytesRead did not advance by \(count)")
            fuzzRequire(reader.dataBytesRead <= header.dataByteCount, "read past the announced data")
            data += buffer[..<count]
        }
        fuzzRequire(data.count == header.dataByteCount, "\(data.count) data bytes, header says \(header.dataByteCount)")
        fuzzRequire(header.dataOffset + data.count <= bytes.count, "more bytes delivered than the input holds")
        if header.dtype.kind == .bool {
            fuzzRequire(data.allSatisfy { $0 <= 1 }, "bool data with bytes other than 0/1 was delivered")
        }
        return .success(header, data, trailing: reader.trailingBytesSeen)
    } catch {
        fuzzRequire(error is FileError, "unexpected error type \(type(of: error)): \(error)")
        fuzzRequireNames(error, fileName)
        return .failure(String(describing: error))
    }
}

/// The rate-0 copy path of `npdrop apply`: reader → writer, then the copy is read back.
func checkCopy(_ bytes: [UInt8], header: NPYHeader, data: [UInt8]) {
    let sink = MemorySink()
    do {
        let reader = try NPYReader(source: MemorySource(bytes), name: fileName)
        let writer = try NPYWriter(sink: sink, like: reader.header, name: "copy.npy")
        var buffer = [UInt8](repeating: 0, count: 64 * header.dtype.itemSize)
        try buffer.withUnsafeMutableBytes { try reader.copyData(to: writer, using: $0) }
    } catch {
        fuzzRequire(false, "copy of a readable file failed: \(error)")
    }
    let expectedHeader = NPYHeaderEncoder.encode(dtype: header.dtype, fortranOrder: header.fortranOrder, shape: header.shape)
    fuzzRequire(Array(sink.bytes.prefix(expectedHeader.count)) == expectedHeader, "copy's header is not np.save's")
    fuzzRequire(Array(sink.bytes.dropFirst(expectedHeader.count)) == data, "copy's data differs")
    switch readAll(sink.bytes, readSizes: [Int.max], chunkElements: 4096) {
    case .success(let again, let againData, let trailing):
        fuzzRequire(again.dtype == header.dtype && again.shape == header.shape, "copy reads back as another array")
        fuzzRequire(againData == data && !trailing, "copy reads back with other data")
    case .failure(let message):
        fuzzRequire(false, "copy does not read back: \(message)")
    }
}

/// Bytes in memory, returned `readSizes[i % count]` bytes per call at most.
final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private let readSizes: [Int]
    private var position = 0
    private var calls = 0

    init(_ bytes: [UInt8], readSizes: [Int] = [Int.max]) {
        self.bytes = bytes
        self.readSizes = readSizes
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let limit = readSizes[calls % readSizes.count]
        calls += 1
        let count = min(buffer.count, bytes.count - position, max(1, limit))
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + count)]))
        }
        position += count
        return count
    }
}

/// Collects what is written.
final class MemorySink: ByteSink {
    private(set) var bytes: [UInt8] = []

    func write(_ data: UnsafeRawBufferPointer) throws {
        bytes.append(contentsOf: data)
    }
}
