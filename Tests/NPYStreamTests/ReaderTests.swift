import Foundation
import NPYFormat
import Testing

@testable import NPYStream

@Suite struct ReaderTests {
    /// A small file as np.save writes it, with known data.
    static func sample(
        dtype: DType = DType(kind: .signedInteger, itemSize: 2, byteOrder: .big),
        shape: [Int] = [3, 5], fortranOrder: Bool = false
    ) -> (file: [UInt8], data: [UInt8]) {
        let header = NPYHeaderEncoder.encode(dtype: dtype, fortranOrder: fortranOrder, shape: shape)
        let count = shape.reduce(1, *) * dtype.itemSize
        let data = (0..<count).map { dtype.kind == .bool ? UInt8($0 % 2) : UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        return (header + data, data)
    }

    private func formatError(_ body: () throws -> Void) -> NPYFormatError? {
        do {
            try body()
            return nil
        } catch let error as FileError {
            return error.underlying as? NPYFormatError
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func chunkSizesAndShortReadsChangeNothing() throws {
        let (file, data) = Self.sample()
        let patterns: [[Int]] = [[Int.max], [1], [3, 1, 7], [64, 2, 1000], [5]]
        for pattern in patterns {
            for chunk in [1, 2, 7, 16, 30, 1 << 20] {
                let reader = try NPYReader(source: MemorySource(file, readSizes: pattern), name: "mem")
                #expect(try readAllData(reader, chunkSize: chunk) == data, "pattern \(pattern) chunk \(chunk)")
                #expect(reader.dataBytesRemaining == 0)
            }
        }
    }

    @Test func chunksHoldWholeElementsWhenTheBufferDoes() throws {
        let (file, _) = Self.sample(dtype: DType(kind: .complex, itemSize: 16, byteOrder: .little), shape: [7])
        let reader = try NPYReader(source: MemorySource(file, readSizes: [3, 5, 1]), name: "mem")
        var buffer = [UInt8](repeating: 0, count: 48)
        var sizes: [Int] = []
        while true {
            let count = try buffer.withUnsafeMutableBytes { try reader.readChunk(into: $0) }
            if count == 0 { break }
            sizes.append(count)
        }
        #expect(sizes == [48, 48, 16])
    }

    @Test func truncationAtEveryPositionIsTyped() throws {
        let (file, _) = Self.sample()
        let dataOffset = 128
        for length in 0..<file.count {
            let cut = Array(file.prefix(length))
            let error = formatError {
                let reader = try NPYReader(source: MemorySource(cut, readSizes: [3]), name: "cut.npy")
                _ = try readAllData(reader, chunkSize: 8)
            }
            let expected: NPYFormatError
            switch length {
            case ..<10: expected = .truncated(section: .preamble, expected: 10, found: length)
            case ..<dataOffset: expected = .truncated(section: .header, expected: 118, found: length - 10)
            default: expected = .truncated(section: .data, expected: 30, found: length - dataOffset)
            }
            #expect(error == expected, "cut at \(length)")
        }
    }

    @Test func truncatedDataMessageNamesTheFile() throws {
        let (file, _) = Self.sample()
        do {
            let reader = try NPYReader(source: MemorySource(Array(file.prefix(140))), name: "dir/x.npy")
            _ = try readAllData(reader)
            Issue.record("not refused")
        } catch {
            #expect("\(error)" == "dir/x.npy: truncated data: expected 30 bytes, found 12")
        }
    }

    @Test func byteFlipsInTheHeaderNeverTrap() throws {
        let (file, _) = Self.sample()
        for index in 0..<128 {
            for mask: UInt8 in [0x01, 0x10, 0x80] {
                var corrupt = file
                corrupt[index] ^= mask
                do {
                    let reader = try NPYReader(source: MemorySource(corrupt), name: "flip")
                    _ = try readAllData(reader)
                } catch let error as FileError {
                    #expect(error.underlying is NPYFormatError, "\(error)")
                }
            }
        }
    }

    @Test func invalidBoolBytesAreRefusedWithTheirOffset() throws {
        let (file, _) = Self.sample(dtype: DType(kind: .bool, itemSize: 1, byteOrder: .notApplicable), shape: [40])
        for position in [0, 7, 8, 20, 39] {
            for chunk in [1, 8, 13, 64] {
                var corrupt = file
                corrupt[128 + position] = 0x61
                let error = formatError {
                    let reader = try NPYReader(source: MemorySource(corrupt), name: "b.npy")
                    _ = try readAllData(reader, chunkSize: chunk)
                }
                #expect(error == .invalidBool(offset: position, value: 0x61), "position \(position) chunk \(chunk)")
            }
        }
        // Without validation the same bytes pass through.
        var corrupt = file
        corrupt[130] = 2
        let reader = try NPYReader(source: MemorySource(corrupt), name: "b.npy", validateBools: false)
        #expect(try readAllData(reader).count == 40)
    }

    @Test func trailingBytesAreIgnoredButReported() throws {
        let (file, data) = Self.sample()
        let reader = try NPYReader(source: MemorySource(file + [1, 2, 3]), name: "t")
        #expect(!reader.trailingBytesSeen)
        #expect(try readAllData(reader) == data)
        #expect(reader.trailingBytesSeen)

        let (empty, _) = Self.sample(shape: [0, 4])
        let emptyReader = try NPYReader(source: MemorySource(empty + [9]), name: "t")
        #expect(emptyReader.trailingBytesSeen)
        let clean = try NPYReader(source: MemorySource(empty), name: "t")
        #expect(!clean.trailingBytesSeen)
    }

    @Test func hugeHeaderLengthIsRefusedBeforeReading() throws {
        let file = NPYHeaderParser.magic + [2, 0, 0, 0, 0, 0x40]  // 1 GiB header announced
        let source = MemorySource(file)
        let error = formatError { _ = try NPYReader(source: source, name: "h") }
        #expect(error == .headerTooLong(length: 1 << 30, limit: 65536))
        #expect(source.position == file.count)
    }

    @Test func openErrorsNameTheFile() {
        do {
            _ = try NPYReader.open(path: "/nonexistent/x.npy")
            Issue.record("opened")
        } catch {
            #expect("\(error)" == "/nonexistent/x.npy: open for reading failed: No such file or directory (errno 2)")
        }
    }
}
