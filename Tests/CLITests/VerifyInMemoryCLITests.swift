import Foundation
import Testing

/// Plain `npdrop verify` re-derives every output and compares it with OUT in memory while it
/// streams (issue 11 item 5): it needs no scratch space, writes nothing under `$TMPDIR`, and
/// names the user's file (never a temporary) for a changed byte anywhere.
@Suite struct VerifyInMemoryCLITests {
    private static let settings = ["--rate", "0.4", "--seed", "11", "--copies", "2"]

    /// The mixed dataset plus a file that is not an array (carried over, compared byte for byte).
    private static func dataset() throws -> ScratchDirectory {
        let input = try ScratchDirectory("in")
        try RunDatasets.mixed(at: input)
        try input.write(Data("notes about the dataset\n".utf8), to: "notes.txt")
        return input
    }

    private static func flipByte(_ path: String, at offset: Int) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[data.startIndex + offset] ^= 0x20
        try data.write(to: URL(fileURLWithPath: path))
    }

    private static func size(_ path: String) throws -> Int {
        try Data(contentsOf: URL(fileURLWithPath: path)).count
    }

    /// Every entry below `directory` (empty when nothing was written there).
    private static func entries(under directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).sorted()
    }

    @Test(arguments: [[String](), ["--store"], ["--compress"]])
    func aCleanRunVerifiesWithoutWritingUnderTMPDIR(encoding: [String]) throws {
        let input = try Self.dataset()
        let out = try ScratchDirectory("out")
        let run = try CLIRunner.run(
            ["run", input.url.path, "--output", out.path("o"), "--quiet"] + Self.settings + encoding)
        #expect(run.status == 0, "\(run.stderr)")
        let before = try FileTree.contents(of: out.path("o"))
        #expect(
            before.keys.contains("copy-0/data/notes.txt") && before.keys.contains("copy-1/masks/gen/big_f4.npy")
                && before.keys.contains("copy-0/masks/npz/savez_compressed.npz"), "\(before.keys.sorted())")

        // An empty TMPDIR stays empty.
        let tmp = try ScratchDirectory("tmpdir")
        let verify = try CLIRunner.run(
            ["verify", input.url.path, out.path("o")], environment: ["TMPDIR": tmp.url.path])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stderr.contains(" files: all match ("), "\(verify.stderr)")
        #expect(Self.entries(under: tmp.url.path).isEmpty, "\(Self.entries(under: tmp.url.path))")

        // A TMPDIR where nothing can be created (a regular file, even for root) changes nothing.
        let notADirectory = tmp.path("plain-file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: notADirectory))
        let unusable = try CLIRunner.run(
            ["verify", input.url.path, out.path("o"), "--quiet"],
            environment: ["TMPDIR": notADirectory])
        #expect(unusable.status == 0, "\(unusable.stderr)")
        #expect(unusable.stderr.isEmpty, "\(unusable.stderr)")
        #expect(Self.entries(under: tmp.url.path) == ["plain-file"])

        // OUT is left exactly as it was (nothing written, no temporary, no lock file left).
        #expect(FileTree.differences(before, try FileTree.contents(of: out.path("o"))).isEmpty)
        #expect(FileTree.temporaries(under: out.path("o")).isEmpty)
    }

    @Test func aChangedByteIsNamedInAResultAMaskACopyAndAnArchive() throws {
        let input = try Self.dataset()
        let out = try ScratchDirectory("out")
        let run = try CLIRunner.run(["run", input.url.path, "--output", out.path("o"), "--quiet"] + Self.settings)
        #expect(run.status == 0, "\(run.stderr)")
        func verifyAfterFlipping(_ relative: String, at offset: Int) throws -> String {
            let path = out.path("o/" + relative)
            try Self.flipByte(path, at: offset)
            defer { try? Self.flipByte(path, at: offset) }
            let verify = try CLIRunner.run(["verify", input.url.path, out.path("o"), "--quiet"])
            #expect(verify.status == 1, "\(relative): \(verify.stderr)")
            return verify.stderr
        }
        // Byte for byte: results, masks, copies, files carried over, stored archives.
        for (relative, offset) in [
            ("copy-0/data/gen/big_f4.npy", 70_001), ("copy-0/masks/gen/big_f4.npy", 4_000),
            ("copy-1/data/gen/images.npy", 300), ("copy-1/masks/gen/images.npy", 200),
            ("copy-0/data/notes.txt", 3),
        ] {
            #expect(
                try verifyAfterFlipping(relative, at: offset)
                    == "npdrop: \(relative): differs from the re-derived bytes at offset \(offset)\n")
        }
        let stored = "copy-1/data/npz/savez_stored.npz"
        let middle = try Self.size(out.path("o/" + stored)) / 2
        #expect(
            try verifyAfterFlipping(stored, at: middle)
                == "npdrop: \(stored): differs from the re-derived bytes at offset \(middle)\n")

        // A deflated archive compares by content: a byte in its first member's deflate data.
        for relative in ["copy-0/data/npz/savez_compressed.npz", "copy-1/masks/npz/savez_compressed.npz"] {
            let archive = try Data(contentsOf: URL(fileURLWithPath: out.path("o/" + relative)))
            let nameLength = Int(archive[26]) | Int(archive[27]) << 8
            let extraLength = Int(archive[28]) | Int(archive[29]) << 8
            let name = String(decoding: archive[30..<(30 + nameLength)], as: UTF8.self)
            let line = try verifyAfterFlipping(relative, at: 30 + nameLength + extraLength + 2)
            let member = "npdrop: \(relative): member '\(name)' "
            #expect(
                line.hasPrefix(member + "differs from the re-derived bytes at offset ")
                    || line.hasPrefix(member + "cannot be compared: "), "\(line)")
            #expect(!line.contains(".npdrop-tmp-") && line.split(separator: "\n").count == 1, "\(line)")
        }

        // Every byte restored: all match again.
        let clean = try CLIRunner.run(["verify", input.url.path, out.path("o"), "--quiet"])
        #expect(clean.status == 0, "\(clean.stderr)")
    }

    @Test func aCutOrGrownOutputIsNamedWithItsSize() throws {
        let input = try Self.dataset()
        let out = try ScratchDirectory("out")
        let run = try CLIRunner.run(
            ["run", input.url.path, "--output", out.path("o"), "--quiet", "--store"] + Self.settings)
        #expect(run.status == 0, "\(run.stderr)")
        let path = out.path("o/copy-0/masks/npz/savez_stored.npz")
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        try (original + Data([0])).write(to: URL(fileURLWithPath: path))
        let grown = try CLIRunner.run(["verify", input.url.path, out.path("o"), "--quiet"])
        #expect(
            grown.stderr
                == "npdrop: copy-0/masks/npz/savez_stored.npz: \(original.count + 1) bytes, re-derived \(original.count) bytes\n"
        )
        try original.dropLast(10).write(to: URL(fileURLWithPath: path))
        let cut = try CLIRunner.run(["verify", input.url.path, out.path("o"), "--quiet"])
        #expect(
            cut.stderr
                == "npdrop: copy-0/masks/npz/savez_stored.npz: \(original.count - 10) bytes, re-derived \(original.count) bytes\n"
        )
    }
}
