import Foundation
import NPDropTestSupport
import Testing

@testable import BatchRunner

@Suite struct ShardTests {
    @Test func fnv1aMatchesPublishedVectors() {
        #expect(ShardSpec.fnv1a64("".utf8) == 0xcbf2_9ce4_8422_2325)
        #expect(ShardSpec.fnv1a64("a".utf8) == 0xaf63_dc4c_8601_ec8c)
        #expect(ShardSpec.fnv1a64("foobar".utf8) == 0x8594_4171_f739_67e8)
    }

    static let names: [String] =
        (0..<300).map { "dir\($0 % 7)/file-\($0).np\($0 % 3 == 0 ? "z" : "y")" } + ["é.npy", "日本/x.npz"]

    @Test func shardsPartitionTheFiles() throws {
        for count in 1...6 {
            var seen: [String: Int] = [:]
            for index in 0..<count {
                let shard = try ShardSpec(index: index, count: count)
                for name in ShardTests.names where shard.owns(name) { seen[name, default: 0] += 1 }
            }
            #expect(seen.count == ShardTests.names.count, "count \(count): every file in some shard")
            #expect(seen.values.allSatisfy { $0 == 1 }, "count \(count): no file in two shards")
        }
    }

    @Test(.enabled(if: LivePython.isAvailable, "python3 is not available"))
    func pythonRecipeFromTheDocsGivesTheSameShards() throws {
        let recipe = """
            import sys
            def shard_of(relpath, n):
                h = 0xcbf29ce484222325
                for b in relpath.encode("utf-8"):
                    h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
                return h % n
            for line in sys.stdin.read().split("\\n"):
                if line: print(shard_of(line, 5))
            """
        let output = try LivePython.run(["-c", recipe], stdin: Data(ShardTests.names.joined(separator: "\n").utf8))
        let text = String(decoding: output, as: UTF8.self)
        let fromPython = text.split(separator: "\n").compactMap { Int($0) }
        #expect(fromPython.count == ShardTests.names.count)
        #expect(fromPython == ShardTests.names.map { ShardSpec.shard(of: $0, count: 5) })
    }

    @Test func parsesIOverN() throws {
        #expect(try ShardSpec(parsing: "2/5") == ShardSpec(index: 2, count: 5))
        for bad in ["5/5", "-1/3", "1/0", "1", "a/b", "1/2/3", " 1/2"] {
            #expect(throws: RunnerError.self, "'\(bad)'") { try ShardSpec(parsing: bad) }
        }
        #expect(try ShardSpec(index: 1, count: 3).manifestName == "manifest-shard-1-of-3.jsonl")
        #expect(try ShardSpec(index: 0, count: 1).manifestName == "manifest.jsonl")
    }

    @Test func detectsKubernetesIndexedJobs() throws {
        let found = try ShardSpec.detect(environment: ["JOB_COMPLETION_INDEX": "3"], shardCount: 8)
        #expect(found?.0 == (try ShardSpec(index: 3, count: 8)))
        #expect(found?.1 == .kubernetes)
        #expect(throws: RunnerError.usage("JOB_COMPLETION_INDEX is set: pass --shard-count N (the Job's completions)"))
        {
            try ShardSpec.detect(environment: ["JOB_COMPLETION_INDEX": "3"], shardCount: nil)
        }
        #expect(
            throws: RunnerError.usage(
                "JOB_COMPLETION_INDEX is 8 but --shard-count is 8: the indices of an Indexed Job are "
                    + "0 ... completions-1, so --shard-count must equal the Job's spec.completions")
        ) {
            try ShardSpec.detect(environment: ["JOB_COMPLETION_INDEX": "8"], shardCount: 8)
        }
        #expect(
            throws: RunnerError.usage(
                "environment variable JOB_COMPLETION_INDEX should be a non-negative integer, found 'x'")
        ) {
            try ShardSpec.detect(environment: ["JOB_COMPLETION_INDEX": "x"], shardCount: 8)
        }
    }

    /// What Slurm sets for `--array=LAYOUT` in task `id`.
    static func slurm(id: Int, min: Int, max: Int, step: Int = 1, count: Int) -> [String: String] {
        [
            "SLURM_ARRAY_TASK_ID": "\(id)", "SLURM_ARRAY_TASK_MIN": "\(min)", "SLURM_ARRAY_TASK_MAX": "\(max)",
            "SLURM_ARRAY_TASK_STEP": "\(step)", "SLURM_ARRAY_TASK_COUNT": "\(count)", "SLURM_ARRAY_JOB_ID": "41",
        ]
    }

    @Test func honoursContiguousSlurmArrays() throws {
        // --array=5-8: task 7 is shard 2 of 4.
        let found = try ShardSpec.detect(
            environment: ShardTests.slurm(id: 7, min: 5, max: 8, count: 4), shardCount: nil)
        #expect(found?.0 == (try ShardSpec(index: 2, count: 4)))
        #expect(found?.1 == .slurm)
        #expect(
            try ShardSpec.detect(environment: ShardTests.slurm(id: 7, min: 5, max: 8, count: 4), shardCount: 4)?.0
                == (try ShardSpec(index: 2, count: 4)))
        // --array=0-7%2 sets the same variables as 0-7; no STEP (older Slurm) means 1.
        var env = ShardTests.slurm(id: 0, min: 0, max: 7, count: 8)
        env["SLURM_ARRAY_TASK_STEP"] = nil
        #expect(try ShardSpec.detect(environment: env, shardCount: nil)?.0 == (try ShardSpec(index: 0, count: 8)))
        #expect(try ShardSpec.detect(environment: ["HOME": "/root"], shardCount: nil) == nil)
    }

    @Test func refusesEverySlurmArrayThatLeavesShardsUnrun() throws {
        // --array=0-6:2
        #expect(
            throws: RunnerError.usage(
                "the Slurm array has SLURM_ARRAY_TASK_STEP=2 (an array such as --array=0-6:2): "
                    + "npdrop runs shard ID-MIN of COUNT, so a step leaves shards unrun; write --array=0-3 (4 tasks, one per shard; "
                    + "add %K to run at most K at once)")
        ) {
            try ShardSpec.detect(
                environment: ShardTests.slurm(id: 2, min: 0, max: 6, step: 2, count: 4), shardCount: nil)
        }
        // --array=0,1,2,5
        #expect(
            throws: RunnerError.usage(
                "the Slurm array is not a contiguous range (SLURM_ARRAY_TASK_MIN=0, "
                    + "SLURM_ARRAY_TASK_MAX=5, SLURM_ARRAY_TASK_COUNT=4: a list such as --array=0,1,2,5): npdrop runs shard ID-MIN of "
                    + "COUNT, so a gap leaves shards unrun; write --array=0-3 (4 tasks, one per shard; add %K to run at most K at once)"
            )
        ) {
            try ShardSpec.detect(environment: ShardTests.slurm(id: 1, min: 0, max: 5, count: 4), shardCount: nil)
        }
        // --array=3,8 (a list in any task, the first included)
        #expect(throws: RunnerError.self) {
            try ShardSpec.detect(environment: ShardTests.slurm(id: 3, min: 3, max: 8, count: 2), shardCount: nil)
        }
        #expect(
            throws: RunnerError.usage(
                "SLURM_ARRAY_TASK_ID 9 is outside SLURM_ARRAY_TASK_MIN..SLURM_ARRAY_TASK_MAX (5..8)")
        ) {
            try ShardSpec.detect(environment: ShardTests.slurm(id: 9, min: 5, max: 8, count: 4), shardCount: nil)
        }
        #expect(
            throws: RunnerError.usage(
                "--shard-count 10 disagrees with SLURM_ARRAY_TASK_COUNT=4: a Slurm array runs one "
                    + "shard per task, so submit --array=5-14 (or drop --shard-count)")
        ) {
            try ShardSpec.detect(environment: ShardTests.slurm(id: 7, min: 5, max: 8, count: 4), shardCount: 10)
        }
        #expect(
            throws: RunnerError.usage(
                "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_MAX, "
                    + "SLURM_ARRAY_TASK_COUNT are not: npdrop cannot check that the array runs every shard; pass --shard I/N"
            )
        ) {
            try ShardSpec.detect(environment: ["SLURM_ARRAY_TASK_ID": "1"], shardCount: nil)
        }
        #expect(
            throws: RunnerError.usage(
                "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MAX is not: npdrop cannot check "
                    + "that the array runs every shard; pass --shard I/N")
        ) {
            try ShardSpec.detect(
                environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "2"],
                shardCount: nil)
        }
    }

    @Test func optionsTakeTheShardFromFlagsThenEnvironment() throws {
        var arguments = RunRequest(input: "in", output: "out")
        arguments.settings.dropout.rate = 0.5
        arguments.settings.seed = 1
        let slurm = ShardTests.slurm(id: 1, min: 0, max: 2, count: 3)
        #expect(try RunOptions(request: arguments, environment: slurm).shard == ShardSpec(index: 1, count: 3))
        #expect(try RunOptions(request: arguments, environment: slurm).manifestName == "manifest-shard-1-of-3.jsonl")
        arguments.shard = try ShardSpec(parsing: "2/4")
        #expect(try RunOptions(request: arguments, environment: slurm).shard == ShardSpec(index: 2, count: 4))
        arguments.shard = try ShardSpec(parsing: "0/1")  // explicit: no sharding even under Slurm
        #expect(try RunOptions(request: arguments, environment: slurm).shard == nil)
        #expect(try RunOptions(request: arguments, environment: slurm).manifestName == "manifest.jsonl")
        arguments.shard = nil
        arguments.settings.seed = nil
        #expect(throws: RunnerError.usage("a sharded run needs --seed: every shard must use the same seed")) {
            try RunOptions(request: arguments, environment: slurm)
        }
        arguments.shardCount = 3
        #expect(throws: RunnerError.self) { try RunOptions(request: arguments, environment: [:]) }
    }
}
