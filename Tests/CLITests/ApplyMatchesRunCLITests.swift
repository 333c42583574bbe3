import Foundation
import Testing

/// `apply` on one file goes through the same file jobs as `run`: an `.npz` with a non-array
/// member and an archive comment, and a `.npy` big enough to be split into segments, give the
/// bytes `run` gives for the same file.
@Suite struct ApplyMatchesRunCLITests {
    // Computed, not stored: a lazily initialised static Data stays allocated to the end of the
    // test process, and LeakSanitizer reports it.
    static var meta: Data { Data(#"{"source": "sensor-7", "units": "mV"}"#.utf8) }
    static var comment: Data { Data("made by a test, kept by npdrop".utf8) }

    /// `in/in.npz`: `x.npy` (float32), `meta.json`, `y.npy` (float32), stored, with a comment.
    private func writeArchive(in scratch: ScratchDirectory) throws -> String {
        let x = NPYBytes.file(descr: "<f4", shape: [6, 5], data: NPYBytes.float32(count: 30, seed: 1))
        let y = NPYBytes.file(descr: "<f4", shape: [7], data: NPYBytes.float32(count: 7, seed: 2))
        let archive = StoredZip.archive([("x.npy", x), ("meta.json", Self.meta), ("y.npy", y)], comment: Self.comment)
        try scratch.write(archive, to: "in/in.npz")
        return scratch.path("in/in.npz")
    }

    @Test func applyOnAnNpzWritesItsOtherMembersAndCommentThroughAsRunDoes() throws {
        let scratch = try ScratchDirectory("apply-npz")
        let input = try writeArchive(in: scratch)
        let applied = try CLIRunner.run([
            "apply", input, scratch.path("out.npz"), "--mask", scratch.path("mask.npz"),
            "--rate", "0.5", "--seed", "11",
        ])
        #expect(applied.status == 0 && applied.stderr == "", "\(applied.stderr)")
        let run = try CLIRunner.run([
            "run", scratch.path("in"), "--output", scratch.path("run"), "--rate", "0.5", "--seed", "11",
        ])
        #expect(run.status == 0, "\(run.stderr)")

        let output = try Data(contentsOf: URL(fileURLWithPath: scratch.path("out.npz")))
        #expect(StoredZip.comment(of: output) == Self.comment)
        #expect(output.range(of: Self.meta) != nil, "meta.json's bytes are in the output")
        #expect(output == (try Data(contentsOf: URL(fileURLWithPath: scratch.path("run/data/in.npz")))))
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: scratch.path("mask.npz")))
                == (try Data(contentsOf: URL(fileURLWithPath: scratch.path("run/masks/in.npz")))))
    }

    @Test func applyOnAnNpzWithABadMemberFailsWithRunsWordingAndWritesNothing() throws {
        let scratch = try ScratchDirectory("apply-npz-bad")
        let x = NPYBytes.file(descr: "<f4", shape: [3], data: NPYBytes.float32(count: 3, seed: 1))
        let truncated = x.prefix(x.count - 2)
        try scratch.write(StoredZip.archive([("x.npy", x), ("bad.npy", Data(truncated))]), to: "in/in.npz")
        let applied = try CLIRunner.run([
            "apply", scratch.path("in/in.npz"), scratch.path("out.npz"), "--rate", "0.5", "--seed", "1",
        ])
        #expect(applied.status == 1)
        #expect(
            applied.stderr.hasPrefix("npdrop: \(scratch.path("in/in.npz")): member 'bad.npy': "),
            "\(applied.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("out.npz")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted() == ["in"])
    }

    @Test func applyOnABigNpyGivesRunsSegmentedBytes() throws {
        let scratch = try ScratchDirectory("apply-npy")
        // 3 MiB of float32: one 64 MiB segment in apply, 1 KiB segments in the run.
        let count = 3 << 18
        try scratch.write(
            NPYBytes.file(descr: "<f4", shape: [count / 4, 4], data: NPYBytes.float32(count: count, seed: 5)),
            to: "in/big.npy")
        let applied = try CLIRunner.run([
            "apply", scratch.path("in/big.npy"), scratch.path("out.npy"),
            "--mask", scratch.path("mask.npy"), "--rate", "0.3", "--seed", "2",
            "--variant", "spatial1d", "--noise-shape", "None,1",
        ])
        #expect(applied.status == 0 && applied.stderr == "", "\(applied.stderr)")
        let run = try CLIRunner.run([
            "run", scratch.path("in"), "--output", scratch.path("run"), "--rate", "0.3", "--seed", "2",
            "--segment-bytes", "1024", "--variant", "spatial1d", "--noise-shape", "None,1",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: scratch.path("out.npy")))
                == (try Data(contentsOf: URL(fileURLWithPath: scratch.path("run/data/big.npy")))))
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: scratch.path("mask.npy")))
                == (try Data(contentsOf: URL(fileURLWithPath: scratch.path("run/masks/big.npy")))))
    }
}
