import NPYFormat
import Testing

@testable import NPYStream

@Suite struct WriterTests {
    static let f4 = DType(kind: .float, itemSize: 4, byteOrder: .little)

    @Test func writesHeaderThenCountsData() throws {
        let sink = MemorySink()
        let writer = try NPYWriter(sink: sink, dtype: Self.f4, fortranOrder: true, shape: [2, 3], name: "w.npy")
        #expect(sink.bytes == NPYHeaderEncoder.encode(dtype: Self.f4, fortranOrder: true, shape: [2, 3]))
        #expect(writer.header.fortranOrder)
        let data = [UInt8](repeating: 7, count: 24)
        try data.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[..<10])) }
        #expect(throws: FileError.self) { try writer.finish() }
        try data.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[10...])) }
        try writer.finish()
        #expect(sink.bytes.count == 128 + 24)
    }

    @Test func refusesTooMuchOrTooLittle() throws {
        let writer = try NPYWriter(sink: MemorySink(), dtype: Self.f4, fortranOrder: false, shape: [2], name: "w.npy")
        do {
            try [UInt8](repeating: 0, count: 9).withUnsafeBytes { try writer.write($0) }
            Issue.record("accepted too much")
        } catch {
            #expect("\(error)" == "w.npy: too much array data: header announces 8 bytes, 9 were given")
        }
        do {
            try writer.finish()
            Issue.record("finished short")
        } catch {
            #expect("\(error)" == "w.npy: array data incomplete: header announces 8 bytes, 0 were written")
        }
    }

    @Test func oneDimensionalFortranIsWrittenAsC() throws {
        let writer = try NPYWriter(sink: MemorySink(), dtype: Self.f4, fortranOrder: true, shape: [11], name: "w")
        #expect(!writer.header.fortranOrder)
    }

    @Test func overflowingShapeIsRefused() {
        #expect(throws: FileError.self) {
            try NPYWriter(sink: MemorySink(), dtype: Self.f4, fortranOrder: false, shape: [Int.max / 2], name: "w")
        }
    }
}
