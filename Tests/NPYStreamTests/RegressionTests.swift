import Foundation
import NPYFormat
import Testing

@testable import NPYStream

/// Reproducers of fuzzing finds at the stream layer (`scripts/fuzz.sh npy-stream`, and the
/// npy-header finds as they reach `NPYReader`), kept small and inline.
@Suite struct RegressionTests {
    /// Magic, version 1.0, the header length, then `text`.
    static func file(_ text: String, data: [UInt8] = []) -> [UInt8] {
        let header = Array(text.utf8)
        return NPYHeaderParser.magic + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header + data
    }

    /// Finding 2: `NPYReader.init` computed `header.dataByteCount`, which trapped on shape
    /// (2**62, 2**62, 0). Now the reader throws a `FileError` naming the file.
    @Test func readerRefusesAnEmptyShapeWhoseDimensionsOverflow() throws {
        let bytes = Self.file(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904, 0), }")
        let error = try #require(throws: FileError.self) {
            _ = try NPYReader(source: MemorySource(bytes, readSizes: [1]), name: "big-empty.npy")
        }
        #expect(
            error.underlying as? NPYFormatError
                == .sizeOverflow(shape: "(4611686018427387904, 4611686018427387904, 0)", itemSize: 4))
        #expect(error.description.hasPrefix("big-empty.npy: array too large: "))
    }

    /// A header announcing far more data than the source has: the reader hands out what exists
    /// in caller-sized chunks and then throws; it never allocates for the announced size.
    @Test func hugeDeclaredSizeOverAFewBytesEndsInTruncation() throws {
        let bytes = Self.file(
            "{'descr': '|u1', 'fortran_order': False, 'shape': (9223372036854775807,), }", data: [1, 2, 3])
        let reader = try NPYReader(source: MemorySource(bytes), name: "huge.npy")
        #expect(reader.header.dataByteCount == Int.max)
        var buffer = [UInt8](repeating: 0, count: 16)
        let error = try #require(throws: FileError.self) {
            _ = try buffer.withUnsafeMutableBytes { try reader.readChunk(into: $0) }
        }
        #expect(error.description == "huge.npy: truncated data: expected 9223372036854775807 bytes, found 3")
    }

    /// Finding 5: `npdrop apply IN OUT` failed with "File name too long" for a valid OUT name of
    /// more than ~220 bytes: the temporary name (then `.<name>.npdrop-tmp-<pid>-<random>`) went past the
    /// file system's 255 bytes. The name part is now cut (on a scalar boundary) to fit.
    @Test func longOutputNamesGetATemporaryNameThatFits() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for name in [String(repeating: "a", count: 251) + ".npy", String(repeating: "\u{E9}", count: 125) + "x.npy"] {
            #expect(name.utf8.count <= 255)
            let output = try AtomicOutputFile(path: directory.path(name))
            let temporary = URL(fileURLWithPath: output.temporaryPath).lastPathComponent
            #expect(temporary.utf8.count <= 255)
            #expect(temporary.hasPrefix(".npdrop-tmp-apply-\(getpid())-"))
            try [UInt8](repeating: 7, count: 3).withUnsafeBytes { try output.write($0) }
            try output.commit(syncToDisk: false)
            #expect(FileManager.default.contents(atPath: directory.path(name)) == Data([7, 7, 7]))
        }
        #expect(TemporaryName.clipped("\u{E9}\u{E9}", toBytes: 3) == "\u{E9}")
        #expect(TemporaryName.clipped("abc", toBytes: 3) == "abc")
    }
}
