import Foundation
import NPDropTestSupport
import NPYFormat
import Testing

@testable import NPYStream

/// Every `.npy` of the third-party corpus in Fixtures/third-party against its MANIFEST.tsv.
@Suite struct CorpusTests {
    static let rows: [[String: String]] =
        ((try? readTSV(TestPaths.corpus.appendingPathComponent("MANIFEST.tsv"))) ?? [])
        .filter { $0["kind"] == "npy" }

    @Test func corpusIsPresent() {
        #expect(Self.rows.count == 76, "corpus MANIFEST not found at \(TestPaths.corpus.path)")
    }

    @Test func loadRowsGiveTheSameContent() throws {
        var loaded = 0
        for row in Self.rows where row["expect"] == "load" {
            let name = try #require(row["file"])
            let reader = try NPYReader.open(path: TestPaths.corpus.appendingPathComponent(name).path)
            let header = reader.header
            #expect(header.dtype == (try DType.parse(descr: row["descr"] ?? "")), "\(name)")
            #expect(header.shape == parseShapeList(row["shape"] ?? ""), "\(name)")
            #expect(header.fortranOrder == (row["fortran_order"] == "true"), "\(name)")
            #expect(header.version.description == row["header_version"], "\(name)")
            #expect(header.dataOffset == Int(row["data_offset"] ?? ""), "\(name)")
            let data = try readAllData(reader, chunkSize: 4093)
            #expect(!reader.trailingBytesSeen, "\(name)")
            #expect(SHA256.hex(ArrayBytes.cOrderLittleEndian(data, header: header)) == row["sha256_c_le"], "\(name)")
            loaded += 1
        }
        #expect(loaded == 64)
    }

    @Test func refuseRowsAreRefusedWithTheirReason() throws {
        var refused = 0
        for row in Self.rows where row["expect"] == "refuse" {
            let name = try #require(row["file"])
            let path = TestPaths.corpus.appendingPathComponent(name).path
            let reason = try #require(row["reason_if_refuse"])
            let keyword = ["object", "structured", "unicode", "bool"].first {
                reason.hasPrefix($0) || reason.contains("\($0) ")
            }
            let expectedWord = try #require(keyword, "no keyword in \(reason)")
            do {
                let reader = try NPYReader.open(path: path)
                _ = try readAllData(reader)
                Issue.record("\(name) was not refused")
            } catch let error as FileError {
                let message = error.description
                #expect(message.hasPrefix(path + ": "), "\(message)")
                #expect(message.contains(expectedWord), "\(name): \(message)")
                #expect(error.underlying is NPYFormatError)
                if expectedWord != "bool" {
                    #expect(message.contains(row["descr"] ?? "?"), "dtype not named: \(message)")
                }
            }
            refused += 1
        }
        #expect(refused == 12)
    }

    /// `np.save(np.load(f))` bytes, from live NumPy, equal our rewrite of every loadable file.
    @Test(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
    func rewriteMatchesNpSaveOfTheLoadedArray() throws {
        let paths = Self.rows.filter { $0["expect"] == "load" }.compactMap { $0["file"] }
            .map { TestPaths.corpus.appendingPathComponent($0).path }
        let script = """
            import sys, io, hashlib, numpy as np
            for path in sys.argv[1:]:
                b = io.BytesIO(); np.save(b, np.load(path)); print(hashlib.sha256(b.getvalue()).hexdigest())
            """
        let output = String(decoding: try LiveNumPy.run(script, arguments: paths), as: UTF8.self)
        let hashes = output.split(separator: "\n").map(String.init)
        #expect(hashes.count == paths.count)
        for (path, expected) in zip(paths, hashes) {
            #expect(SHA256.hex(try rewrite(path: path, chunkSize: 1000)) == expected, "\(path)")
        }
    }
}
