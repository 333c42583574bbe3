import Foundation
import NPDropTestSupport
import Testing

@testable import NPZContainer

/// The .npz files of the third-party corpus (Fixtures/third-party, MANIFEST.tsv).
struct CorpusArchive: CustomStringConvertible, Sendable {
    var file: String
    var expect: String
    /// Member names (without `.npy`) from the `members` column, in central directory order.
    var memberNames: [String]

    var path: String { TestPaths.corpus.appendingPathComponent(file).path }
    var description: String { file }

    static let all: [CorpusArchive] = {
        let manifest = TestPaths.corpus.appendingPathComponent("MANIFEST.tsv").path
        guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else { return [] }
        let lines = text.split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        guard let header = lines.first, let fileCol = header.firstIndex(of: "file"),
            let kindCol = header.firstIndex(of: "kind"),
            let expectCol = header.firstIndex(of: "expect"), let membersCol = header.firstIndex(of: "members")
        else { return [] }
        return lines.dropFirst().filter { $0.count > membersCol && $0[kindCol] == "npz" }.map { row in
            let names = row[membersCol].split(separator: ";").map { String($0.split(separator: ":")[0]) }
            return CorpusArchive(file: row[fileCol], expect: row[expectCol], memberNames: names)
        }
    }()
}

@Suite struct CorpusTests {
    @Test func corpusHasTwelveArchives() {
        #expect(CorpusArchive.all.count == 12)
    }

    /// Every corpus archive (also those NumPy refuses for their dtypes: the zip layer is fine) lists
    /// the members the manifest names and reads them with verified CRC-32 and sizes.
    @Test(arguments: CorpusArchive.all)
    func membersReadWithVerifiedCRC(archive: CorpusArchive) throws {
        let reader = try ZipArchiveReader(path: archive.path)
        #expect(reader.entries.map(\.name) == archive.memberNames.map { $0 + ".npy" })
        for entry in reader.entries {
            let bytes = try drain(reader.openMember(entry), chunk: 333)
            #expect(UInt64(bytes.count) == entry.uncompressedSize)
            #expect(crc32(bytes) == entry.crc32)
            #expect(bytes.starts(with: [0x93] + Array("NUMPY".utf8)), "\(archive.file) \(entry.name) is an .npy")
        }
    }

    /// Member bytes equal what Python's zipfile extracts (SHA-256 computed live by python3).
    @Test(.enabled(if: Python.isAvailable), arguments: CorpusArchive.all)
    func memberBytesEqualPythonsZipfile(archive: CorpusArchive) throws {
        let expected = try Python.memberDigests(archive.path)
        let ours = try readAllMembers(archive.path)
        #expect(ours.map(\.0) == expected.map(\.0))
        #expect(ours.map { SHA256.hex($0.1) } == expected.map(\.1))
    }
}
