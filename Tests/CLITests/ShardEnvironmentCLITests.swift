import Foundation
import Testing

/// `npdrop run` under a Slurm array or a Kubernetes Indexed Job, as a binary: every layout that
/// would leave shards unrun is exit 2 before anything is written; a contiguous array is honoured.
@Suite struct ShardEnvironmentCLITests {
    /// The variables Slurm sets in task `id` of an array (the others removed).
    private static func slurm(id: Int, min: Int, max: Int, step: Int, count: Int) -> [String: String?] {
        [
            "SLURM_ARRAY_TASK_ID": "\(id)", "SLURM_ARRAY_TASK_MIN": "\(min)", "SLURM_ARRAY_TASK_MAX": "\(max)",
            "SLURM_ARRAY_TASK_STEP": "\(step)", "SLURM_ARRAY_TASK_COUNT": "\(count)", "SLURM_ARRAY_JOB_ID": "77",
            "JOB_COMPLETION_INDEX": nil,
        ]
    }

    private func run(
        _ environment: [String: String?], _ extra: [String] = []
    ) throws -> (CLIRunner.Output, ScratchDirectory) {
        let out = try ScratchDirectory("out")
        let result = try CLIRunner.run(
            [
                "run", CLIRunner.fixtures.path, "--output", out.path("o"), "--rate", "0.2",
                "--seed", "9", "--quiet",
            ] + extra, environment: environment)
        return (result, out)
    }

    @Test func aSteppedArrayIsExitTwoAndWritesNothing() throws {
        let (result, out) = try run(ShardEnvironmentCLITests.slurm(id: 2, min: 0, max: 6, step: 2, count: 4))
        #expect(result.status == 2)
        #expect(
            result.stderr == "npdrop: the Slurm array has SLURM_ARRAY_TASK_STEP=2 (an array such as --array=0-6:2): "
                + "npdrop runs shard ID-MIN of COUNT, so a step leaves shards unrun; write --array=0-3 (4 tasks, one per shard; "
                + "add %K to run at most K at once)\n")
        #expect(!FileManager.default.fileExists(atPath: out.path("o")))
    }

    @Test func aListedArrayIsExitTwo() throws {
        let (result, _) = try run(ShardEnvironmentCLITests.slurm(id: 5, min: 0, max: 5, step: 1, count: 4))
        #expect(result.status == 2)
        #expect(
            result.stderr == "npdrop: the Slurm array is not a contiguous range (SLURM_ARRAY_TASK_MIN=0, "
                + "SLURM_ARRAY_TASK_MAX=5, SLURM_ARRAY_TASK_COUNT=4: a list such as --array=0,1,2,5): npdrop runs shard ID-MIN of "
                + "COUNT, so a gap leaves shards unrun; write --array=0-3 (4 tasks, one per shard; add %K to run at most K at once)\n"
        )
    }

    @Test func aContiguousArrayRunsItsShard() throws {
        var environment = ShardEnvironmentCLITests.slurm(id: 6, min: 5, max: 7, step: 1, count: 3)
        environment["SLURM_ARRAY_TASK_STEP"] = .some(nil)
        let out = try ScratchDirectory("out")
        let result = try CLIRunner.run(
            ["run", CLIRunner.fixtures.path, "--output", out.path("o"), "--rate", "0.2", "--seed", "9"],
            environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("npdrop: shard 1/3 (from SLURM_ARRAY_TASK_ID): "))
        #expect(FileManager.default.fileExists(atPath: out.path("o/manifest-shard-1-of-3.state.json")))
    }

    @Test func aKubernetesIndexAtOrAboveTheShardCountIsExitTwo() throws {
        let (result, _) = try run(["JOB_COMPLETION_INDEX": "4", "SLURM_ARRAY_TASK_ID": nil], ["--shard-count", "4"])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "npdrop: JOB_COMPLETION_INDEX is 4 but --shard-count is 4: the indices of an Indexed Job are "
                + "0 ... completions-1, so --shard-count must equal the Job's spec.completions\n")
        let (missing, _) = try run(["JOB_COMPLETION_INDEX": "1", "SLURM_ARRAY_TASK_ID": nil])
        #expect(missing.status == 2)
        #expect(missing.stderr == "npdrop: JOB_COMPLETION_INDEX is set: pass --shard-count N (the Job's completions)\n")
    }
}
