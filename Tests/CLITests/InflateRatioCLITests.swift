import Foundation
import NPDropTestSupport
import Testing

/// `--max-inflate-ratio`: a deflated member declaring more than R times its compressed size is
/// refused by `apply`, `run` and `verify`, naming the file, the member and the limit.
@Suite(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
struct InflateRatioCLITests {
    @Test func membersAboveTheRatioAreRefusedWithNoOutput() throws {
        let input = try ScratchDirectory("ratio-in")
        // 1 MiB of zeros deflates about 1000:1.
        _ = try LiveNumPy.run(
            """
            import sys
            import numpy as np
            np.savez_compressed(sys.argv[1], zeros=np.zeros(1 << 18, np.float32))
            """, arguments: [input.path("z.npz")])
        let out = try ScratchDirectory("ratio-out")

        let applied = try CLIRunner.run([
            "apply", input.path("z.npz"), out.path("a.npz"), "--rate", "0.5", "--seed", "1",
            "--max-inflate-ratio", "100",
        ])
        #expect(applied.status == 1)
        #expect(applied.stderr.hasPrefix("npdrop: \(input.path("z.npz"))"), "\(applied.stderr)")
        #expect(applied.stderr.contains("zeros.npy") && applied.stderr.contains("100"), "\(applied.stderr)")
        #expect(applied.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out.path("a.npz")))

        let run = try CLIRunner.run([
            "run", input.path("z.npz"), "--output", out.path("r"), "--rate", "0.5", "--seed", "1",
            "--quiet", "--max-inflate-ratio", "100",
        ])
        #expect(run.status == 1)
        #expect(
            run.stderr.contains("z.npz") && run.stderr.contains("zeros.npy") && run.stderr.contains("100"),
            "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path("r/data/z.npz")))

        // The default (deflate's own maximum) accepts it, and verify then honours the flag too.
        let accepted = try CLIRunner.run([
            "run", input.path("z.npz"), "--output", out.path("ok"), "--rate", "0.5",
            "--seed", "1", "--quiet",
        ])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        let verified = try CLIRunner.run(["verify", input.path("z.npz"), out.path("ok"), "--quiet"])
        #expect(verified.status == 0, "\(verified.stderr)")
        let refused = try CLIRunner.run([
            "verify", input.path("z.npz"), out.path("ok"), "--quiet", "--max-inflate-ratio", "100",
        ])
        #expect(refused.status == 1, "\(refused.stderr)")

        let usage = try CLIRunner.run([
            "run", input.path("z.npz"), "--output", out.path("u"), "--rate", "0.5",
            "--max-inflate-ratio", "0",
        ])
        #expect(usage.status == 2)
        #expect(usage.stderr == "npdrop: --max-inflate-ratio must be at least 1, found 0\n")
    }
}
