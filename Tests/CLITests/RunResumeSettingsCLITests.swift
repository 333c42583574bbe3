import Foundation
import Testing

/// `npdrop run ... --resume` with settings other than the earlier run's: refused with exit 2,
/// OUT untouched, one line naming OUT, the first differing setting (both values) and
/// `--overwrite`. The same settings finish the run; `--jobs` is not a setting.
@Suite struct RunResumeSettingsCLITests {
    private static let settings = ["--rate", "0.5", "--seed", "7"]

    private func dataset() throws -> ScratchDirectory {
        let input = try ScratchDirectory("in")
        try input.write(Data(contentsOf: CLIRunner.fixtures.appendingPathComponent("le_f4_C_r2.npy")), to: "x.npy")
        try input.write(
            Data(contentsOf: RunDatasets.npzFixtures.appendingPathComponent("savez_stored.npz")), to: "y.npz")
        return input
    }

    private func refusal(_ out: String, _ difference: String, at input: String) -> String {
        "npdrop: --resume: OUT '\(out)' holds a run made with other settings (\(difference), first at \(input)); "
            + "resume with the earlier settings, or pass --overwrite to replace the earlier run\n"
    }

    @Test func otherSettingsAreRefusedAndOUTIsLeftAsItWas() throws {
        let input = try dataset()
        let out = try ScratchDirectory("out")
        let target = out.path("o")
        let first = try CLIRunner.run(["run", input.url.path, "--output", target, "--quiet"] + Self.settings)
        #expect(first.status == 0, "\(first.stderr)")
        // As if the run had been stopped before x.npy was written.
        try FileManager.default.removeItem(atPath: target + "/data/x.npy")
        let before = try FileTree.contents(of: target)

        let cases: [([String], String, String)] = [
            (["--rate", "0.5", "--seed", "8"], "seed 7 there, 8 now", "x.npy"),
            (["--rate", "0.25", "--seed", "7"], "rate 0.5 there, 0.25 now", "x.npy"),
            (
                ["--rate", "0.5", "--seed", "7", "--variant", "spatial1d"], "variant dropout there, spatial1d now",
                "x.npy"
            ),
            (["--rate", "0.5", "--seed", "7", "--fill", "1"], "fill none there, 1 now", "x.npy"),
            (["--rate", "0.5", "--seed", "7", "--no-masks"], "mask_format bool there, none (no masks) now", "x.npy"),
            (
                ["--rate", "0.5", "--seed", "7", "--mask-format", "packbits"], "mask_format bool there, packbits now",
                "x.npy"
            ),
            (["--rate", "0.5", "--seed", "7", "--store"], "compression input there, store now", "y.npz"),
            (
                ["--rate", "0.5", "--seed", "7", "--members", "floats"],
                "members y.npz [scalar.npy] processed there, copied now", "y.npz"
            ),
        ]
        for (arguments, difference, at) in cases {
            let result = try CLIRunner.run(["run", input.url.path, "--output", target, "--resume"] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr == refusal(target, difference, at: at), "\(arguments)")
            #expect(try FileTree.contents(of: target) == before, "\(arguments) changed OUT")
        }

        // The same settings (the seed taken from the manifest; --jobs is no setting) finish the
        // run with the bytes of a clean run.
        let resumed = try CLIRunner.run([
            "run", input.url.path, "--output", target, "--resume", "--rate", "0.5",
            "--jobs", "1", "--quiet",
        ])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let clean = try CLIRunner.run(
            ["run", input.url.path, "--output", out.path("clean"), "--quiet"] + Self.settings)
        #expect(clean.status == 0)
        #expect(
            FileTree.differences(try FileTree.contents(of: target), try FileTree.contents(of: out.path("clean"))) == [])

        // --overwrite replaces the earlier run with the other settings.
        let replaced = try CLIRunner.run([
            "run", input.url.path, "--output", target, "--overwrite", "--quiet",
            "--rate", "0.25", "--seed", "7",
        ])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        let records = try ManifestLines.records(at: target + "/manifest.jsonl")
        #expect(records.contains { $0["rate"] as? Double == 0.25 })
    }

    /// Shards of one set resume with their own settings; a shard resumed with another seed is refused.
    @Test func shardsResumeWithTheSameSettingsOnly() throws {
        let input = try dataset()
        let out = try ScratchDirectory("out")
        let target = out.path("o")
        for index in 0..<2 {
            let result = try CLIRunner.run(
                ["run", input.url.path, "--output", target, "--quiet", "--shard", "\(index)/2"]
                    + Self.settings)
            #expect(result.status == 0, "\(result.stderr)")
        }
        for index in 0..<2 {
            let same = try CLIRunner.run(
                [
                    "run", input.url.path, "--output", target, "--quiet", "--resume",
                    "--shard", "\(index)/2", "--jobs", "1",
                ] + Self.settings)
            #expect(same.status == 0, "\(same.stderr)")
        }
        let before = try FileTree.contents(of: target)
        for index in 0..<2 {
            let other = try CLIRunner.run([
                "run", input.url.path, "--output", target, "--resume", "--shard", "\(index)/2",
                "--rate", "0.5", "--seed", "9",
            ])
            // Refused whether or not a file fell in the shard (its completion record keeps its settings).
            #expect(other.status == 2, "\(other.stderr)")
            #expect(
                other.stderr.contains("holds a run made with other settings (seed 7 there, 9 now"), "\(other.stderr)")
        }
        #expect(try FileTree.contents(of: target) == before)
        let merge = try CLIRunner.run(["merge-manifests", target])
        #expect(merge.status == 0, "\(merge.stderr)")
    }
}
