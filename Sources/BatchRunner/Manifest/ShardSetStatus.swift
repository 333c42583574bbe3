/// The shards of one N in an OUT directory and whether `merge-manifests` can join them.
public struct ShardSetStatus: Sendable {
    /// OUT as given.
    public var outputDirectory: String
    /// N.
    public var count: Int
    /// Every shard 0 ..< N, in order.
    public var shards: [ShardStatus]

    /// True when every shard is complete.
    public var canMerge: Bool { shards.allSatisfy { $0.state == .complete } }

    /// One line per shard that is not complete.
    public var problems: [String] { shards.compactMap(\.problem) }

    /// The closing line of a refused merge, naming the shards to rerun; nil when it can merge.
    public var refusal: String? {
        let rerun = shards.filter { $0.state != .complete }.map { String($0.shard.index) }
        guard !rerun.isEmpty else { return nil }
        return "cannot merge '\(outputDirectory)': \(rerun.count) of \(count) shards are not complete; "
            + "rerun shard\(rerun.count == 1 ? "" : "s") \(rerun.joined(separator: ", ")) of \(count) "
            + "(the same command with --resume: finished files are skipped), then merge again"
    }

    /// Reads the shard manifests and completion records of `outputDirectory`. Throws `.usage`
    /// when it holds none, or shards of several N.
    public static func read(outputDirectory: String) throws -> ShardSetStatus {
        let manifests = try ManifestFiles.shardManifests(in: outputDirectory)
        let records = try ManifestFiles.shardCompletionRecords(in: outputDirectory)
        let counts = Set(manifests.map(\.shard.count) + records.map(\.shard.count))
        guard let count = counts.first else {
            throw RunnerError.usage("no manifest-shard-<I>-of-<N>.jsonl in '\(outputDirectory)'")
        }
        guard counts.count == 1 else {
            let list = counts.sorted().map(String.init).joined(separator: ", ")
            throw RunnerError.usage("'\(outputDirectory)' holds shard manifests for different shard counts (\(list))")
        }
        var shards: [ShardStatus] = []
        var completions: [ShardCompletion?] = []
        for index in 0..<count {
            let shard = try ShardSpec(index: index, count: count)
            let manifestPath = RelativePath.join(outputDirectory, shard.manifestName)
            let completionPath = RelativePath.join(outputDirectory, ShardCompletion.fileName(of: shard))
            let contents = try ManifestFiles.read(path: manifestPath)
            let completion = try ShardCompletion.read(path: completionPath)
            if let completion, completion.shard != shard.description {
                throw RunnerError.malformed(
                    path: completionPath,
                    detail: "expected the record of shard \(shard), found shard '\(completion.shard)'")
            }
            completions.append(completion)
            shards.append(status(of: shard, contents: contents, completion: completion))
        }
        markMismatches(&shards, completions: completions)
        return ShardSetStatus(outputDirectory: outputDirectory, count: count, shards: shards)
    }

    /// The status of one shard on its own (settings are compared across shards afterwards).
    private static func status(
        of shard: ShardSpec, contents: ManifestContents?, completion: ShardCompletion?
    ) -> ShardStatus {
        let latest = contents?.latestRecords ?? []
        let tasks = Set(latest.map { TaskKey(input: Array($0.input.utf8), copy: $0.copy) }).count
        let errors = latest.filter { $0.status == .error }.count
        // A complete shard did every task (an npz without members leaves no record to count).
        let done = completion?.complete == true ? completion?.tasks ?? tasks : min(tasks, completion?.tasks ?? tasks)
        var result = ShardStatus(
            shard: shard, state: .complete, doneTasks: done,
            totalTasks: completion?.tasks, records: latest.count, errors: errors, problem: nil)
        let manifest = shard.manifestName
        let head = "shard \(shard): "
        let rerun = "rerun shard \(shard.index)"
        guard let completion else {
            guard let contents else {
                result.state = .missing
                result.problem = head + "missing (no \(manifest)): run shard \(shard.index)"
                return result
            }
            result.state = .unfinished
            result.problem =
                head + "unfinished (\(manifest) records \(tasks) task(s) but there is no completion record: "
                + "the shard is still running, was stopped, or was run by an older npdrop): \(rerun)"
            return result
        }
        guard completion.complete else {
            result.state = .unfinished
            result.problem =
                head + "unfinished (\(result.doneTasks) of \(completion.tasks) task(s) recorded: "
                + "the shard is still running or was stopped): \(rerun)"
            return result
        }
        guard let contents, contents.invalidLines == 0, latest.count == completion.records else {
            result.state = .changed
            let found =
                contents.map {
                    "\(latest.count) record(s)" + ($0.invalidLines > 0 ? " and \($0.invalidLines) invalid line(s)" : "")
                }
                ?? "no \(manifest)"
            result.problem =
                head + "changed since it completed (the completion record counts \(completion.records ?? 0) record(s), "
                + "found \(found)): \(rerun)"
            return result
        }
        return result
    }

    /// Marks complete shards whose settings or input differ from those most complete shards
    /// share (ties: the group with the lowest shard) as `.mismatched`.
    private static func markMismatches(_ shards: inout [ShardStatus], completions: [ShardCompletion?]) {
        struct Identity: Hashable {
            var settings: [String: String]
            var inputFiles: Int
            var inputDigest: String
        }
        var groups: [Identity: [Int]] = [:]
        var order: [Identity] = []
        for (index, completion) in completions.enumerated() {
            guard let completion, shards[index].state == .complete else { continue }
            let identity = Identity(
                settings: completion.settings, inputFiles: completion.inputFiles, inputDigest: completion.inputDigest)
            if groups[identity] == nil { order.append(identity) }
            groups[identity, default: []].append(index)
        }
        guard order.count > 1,
            let reference = order.max(by: {
                groups[$0]!.count < groups[$1]!.count
                    || (groups[$0]!.count == groups[$1]!.count && groups[$0]![0] > groups[$1]![0])
            })
        else { return }
        let peers = groups[reference]!.map(String.init).joined(separator: ", ")
        for identity in order where identity != reference {
            for index in groups[identity]! {
                let what: String
                if identity.settings != reference.settings {
                    what =
                        "other settings than shard\(groups[reference]!.count == 1 ? "" : "s") \(peers) ("
                        + ShardSettings.differences(identity.settings, from: reference.settings) + ")"
                } else {
                    what =
                        "another input than shard\(groups[reference]!.count == 1 ? "" : "s") \(peers) "
                        + "(\(identity.inputFiles) input files, digest \(identity.inputDigest); they saw \(reference.inputFiles), digest \(reference.inputDigest))"
                }
                shards[index].state = .mismatched
                shards[index].problem =
                    "shard \(shards[index].shard): \(what): rerun shard \(index) with the settings and input of the others"
            }
        }
    }

    /// The status as one JSON object (`npdrop status --json`).
    public var json: String {
        let items = shards.map { shard in
            JSONText.object([
                ("shard", JSONText.string(shard.shard.description)),
                ("index", JSONText.integer(shard.shard.index)),
                ("state", JSONText.string(shard.state.rawValue)),
                ("done", JSONText.integer(shard.doneTasks)),
                ("total", shard.totalTasks.map { JSONText.integer($0) } ?? "null"),
                ("records", JSONText.integer(shard.records)),
                ("errors", JSONText.integer(shard.errors)),
                ("problem", JSONText.string(shard.problem)),
            ])
        }
        return JSONText.object([
            ("output", JSONText.string(outputDirectory)),
            ("shard_count", JSONText.integer(count)),
            ("shards", "[" + items.joined(separator: ",") + "]"),
            ("can_merge", JSONText.bool(canMerge)),
        ])
    }

    /// (input, copy) by bytes: one file task.
    private struct TaskKey: Hashable {
        let input: [UInt8]
        let copy: Int
    }
}
