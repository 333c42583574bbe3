@testable import BatchRunner
import Foundation
import Testing

@Suite struct ShardTests {
    @Test func fnv1aMatchesPublishedVectors() {
        #expect(ShardSpec.fnv1a64("".utf8) == 0xcbf2_9ce4_8422_2325)
        #expect(ShardSpec.fnv1a64("a".utf8) == 0xaf63_dc4c_8601_ec8c)
        #expect(ShardSpec.fnv1a64("foobar".utf8) == 0x8594_4171_f739_67e8)
    }

    static let names: [String] = (0..<300).map { "dir\($0 % 7)/file-\($0).np\($0 % 3 == 0 ? "z" : "y")" } + ["é.npy", "日本/x.npz"]

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

    @Test func pythonRecipeFromTheDocsGivesTheSameShards() throws {
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", recipe]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        guard (try? process.run()) != nil, pythonAvailable else { return }  // no python3: nothing to compare with
        input.fileHandleForWriting.write(Data(ShardTests.names.joined(separator: "\n").utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let fromPython = text.split(separator: "\n").compactMap { Int($0) }
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
        #expect(throws: RunnerError.usage("JOB_COMPLETION_INDEX is set: pass --shard-count N (the Job's completions)")) {
            try ShardSpec.detect(environment: ["JOB_COMPLETION_INDEX": "3"], shardCount: nil)
        }
        #expect(throws: RunnerError.self) { try ShardSpec.detect(environment: ["JOB_COMPLETION_INDEX": "8"], shardCount: 8) }
        #expect(throws: RunnerError.self) { try ShardSpec.detect(environment: ["JOB_COMPLETION_INDEX": "x"], shardCount: 8) }
    }

    @Test func detectsSlurmArrays() throws {
        let env = ["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_COUNT": "4"]
        let found = try ShardSpec.detect(environment: env, shardCount: nil)
        #expect(found?.0 == (try ShardSpec(index: 2, count: 4)))
        #expect(found?.1 == .slurm)
        #expect(try ShardSpec.detect(environment: env, shardCount: 10)?.0 == (try ShardSpec(index: 2, count: 10)))
        #expect(try ShardSpec.detect(environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "2"], shardCount: nil)?.0
                == (try ShardSpec(index: 0, count: 2)))
        #expect(throws: RunnerError.self) {
            try ShardSpec.detect(environment: ["SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_COUNT": "4"], shardCount: nil)
        }
        #expect(throws: RunnerError.self) { try ShardSpec.detect(environment: ["SLURM_ARRAY_TASK_ID": "1"], shardCount: nil) }
        #expect(try ShardSpec.detect(environment: ["HOME": "/root"], shardCount: nil) == nil)
    }

    @Test func optionsTakeTheShardFromFlagsThenEnvironment() throws {
        var arguments = RunArguments(input: "in", output: "out")
        arguments.rate = 0.5
        arguments.seed = "1"
        let slurm = ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3"]
        #expect(try RunOptions(arguments: arguments, environment: slurm).shard == ShardSpec(index: 1, count: 3))
        #expect(try RunOptions(arguments: arguments, environment: slurm).manifestName == "manifest-shard-1-of-3.jsonl")
        arguments.shard = "2/4"
        #expect(try RunOptions(arguments: arguments, environment: slurm).shard == ShardSpec(index: 2, count: 4))
        arguments.shard = "0/1"  // explicit: no sharding even under Slurm
        #expect(try RunOptions(arguments: arguments, environment: slurm).shard == nil)
        #expect(try RunOptions(arguments: arguments, environment: slurm).manifestName == "manifest.jsonl")
        arguments.shard = nil
        arguments.seed = nil
        #expect(throws: RunnerError.usage("a sharded run needs --seed: every shard must use the same seed")) {
            try RunOptions(arguments: arguments, environment: slurm)
        }
        arguments.shardCount = 3
        #expect(throws: RunnerError.self) { try RunOptions(arguments: arguments, environment: [:]) }
    }
}
