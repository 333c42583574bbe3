import Foundation
import NPDropTestSupport
import NPYFormat
import Testing

@testable import NPYStream

/// Every file in Fixtures/npy (made by python/make_fixtures.py with NumPy) against its MANIFEST row.
@Suite struct FixtureTests {
    static let rows: [[String: String]] =
        (try? readTSV(TestPaths.fixtures.appendingPathComponent("MANIFEST.tsv"))) ?? []

    @Test func manifestListsEveryFixture() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: TestPaths.fixtures.path).filter {
            $0.hasSuffix(".npy")
        }
        #expect(Set(files) == Set(Self.rows.compactMap { $0["file"] }))
        #expect(files.count > 200)
    }

    @Test func headersAndContentMatchNumPy() throws {
        for row in Self.rows {
            let name = try #require(row["file"])
            let path = TestPaths.fixtures.appendingPathComponent(name).path
            let reader = try NPYReader.open(path: path)
            let header = reader.header
            #expect(header.dtype.descr == row["descr"], "\(name)")
            #expect(header.shape == parseShapeList(row["shape"] ?? ""), "\(name)")
            #expect(header.fortranOrder == (row["fortran_order"] == "true"), "\(name)")
            #expect(header.version.description == row["header_version"], "\(name)")
            #expect(header.dataOffset == Int(row["data_offset"] ?? ""), "\(name)")
            let data = try readAllData(reader, chunkSize: 7)
            #expect(!reader.trailingBytesSeen)
            #expect(SHA256.hex(ArrayBytes.cOrderLittleEndian(data, header: header)) == row["sha256_c_le"], "\(name)")
        }
    }

    /// Rewriting a fixture gives what np.save writes for the loaded array; for files np.save
    /// itself wrote (all but the v2/v3 ones) that is the file, byte for byte.
    @Test func rewriteIsByteIdenticalToNpSave() throws {
        for row in Self.rows {
            let name = try #require(row["file"])
            let path = TestPaths.fixtures.appendingPathComponent(name).path
            let written = try rewrite(path: path, chunkSize: 5)
            #expect(SHA256.hex(written) == row["npsave_sha256"], "\(name)")
            if row["header_version"] == "1.0" {
                let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
                #expect(written == original, "\(name)")
            }
        }
    }

    @Test(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
    func makeFixturesReproducesTheCommittedFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = TestPaths.packageRoot.appendingPathComponent("python/make_fixtures.py").path
        _ = try LiveNumPy.run(
            "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')",
            arguments: [script, directory.url.path])
        let made = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted()
        let committed = try FileManager.default.contentsOfDirectory(atPath: TestPaths.fixtures.path).sorted()
        #expect(made == committed)
        for name in made {
            let fresh = try Data(contentsOf: directory.url.appendingPathComponent(name))
            let old = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent(name))
            #expect(fresh == old, "\(name) differs from a fresh run of make_fixtures.py")
        }
    }
}

/// Reads `path` and writes it again through NPYWriter into memory.
func rewrite(path: String, chunkSize: Int) throws -> [UInt8] {
    let reader = try NPYReader.open(path: path)
    let sink = MemorySink()
    let writer = try NPYWriter(sink: sink, like: reader.header, name: "memory")
    var buffer = [UInt8](repeating: 0, count: chunkSize)
    try buffer.withUnsafeMutableBytes { try reader.copyData(to: writer, using: $0) }
    return sink.bytes
}

@Suite struct FixtureCorruptionTests {
    /// Every fixture cut at every length is refused as truncated in the right section.
    @Test func everyFixtureTruncatedAnywhereIsTyped() throws {
        for row in FixtureTests.rows {
            let name = try #require(row["file"])
            let bytes = try [UInt8](Data(contentsOf: TestPaths.fixtures.appendingPathComponent(name)))
            let dataOffset = try #require(Int(row["data_offset"] ?? ""))
            for length in 0..<bytes.count {
                do {
                    let reader = try NPYReader(source: MemorySource(Array(bytes.prefix(length))), name: name)
                    _ = try readAllData(reader, chunkSize: 16)
                    Issue.record("\(name) cut at \(length) was accepted")
                } catch let error as FileError {
                    guard case .truncated(let section, _, _)? = error.underlying as? NPYFormatError else {
                        Issue.record("\(name) cut at \(length): \(error)")
                        continue
                    }
                    let expected: NPYFormatError.Section =
                        length < 10 ? .preamble : length < dataOffset ? .header : .data
                    if length >= 10 && length < 12 && row["header_version"] != "1.0" {
                        #expect(section == .preamble, "\(name) cut at \(length)")
                    } else {
                        #expect(section == expected, "\(name) cut at \(length)")
                    }
                }
            }
        }
    }
}
