import DropoutEngine
import DropoutFiles
import Foundation
import Testing

@testable import BatchRunner

/// A small dataset: npy files of several sizes (some split into many segments), npz "files"
/// (the fake reads member names from them), hidden and nested names.
func makeDataset(_ scratch: Scratch, extra: [String: [UInt8]] = [:]) -> String {
    scratch.write("in/a/small.npy", pattern(100, seed: 1))
    scratch.write("in/a/big.npy", pattern(50_000, seed: 2))  // 13 segments of 4096
    scratch.write("in/b.npy", pattern(8192, seed: 3))  // exactly 2 segments
    scratch.write("in/empty.npy", [])
    scratch.write("in/.hidden/h.npy", pattern(10, seed: 4))
    scratch.write("in/z/arch.npz", text: "x.npy\ny.npy\nlabels.npy\n")
    scratch.write("in/日本/名前.npy", pattern(5000, seed: 5))
    for (name, bytes) in extra { scratch.write("in/" + name, bytes) }
    return scratch.sub("in")
}

@Suite struct RunTests {
    @Test func writesTheLayoutAndASortedManifest() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let input = makeDataset(scratch)
        let captured = Captured()
        let out = scratch.sub("out")
        let report = try BatchRun(
            options: testOptions(input, out), processor: FakeProcessor(), console: captured.console()
        ).run()
        #expect(report.exitCode == 0)
        let files = tree(out)
        let inputs = [".hidden/h.npy", "a/big.npy", "a/small.npy", "b.npy", "empty.npy", "z/arch.npz", "日本/名前.npy"]
        #expect(
            files.keys.sorted() == (inputs.flatMap { ["data/" + $0, "masks/" + $0] } + ["manifest.jsonl"]).sorted())
        // Results: input XOR the fake keystream.
        let big = try #require(files["data/a/big.npy"])
        let task = FileTask(
            input: InputFile(relativePath: "a/big.npy", absolutePath: "", kind: .npy, byteCount: 0),
            seed: 42, settings: ArraySettingsResolver(defaults: DropoutSettings(rate: 0.25)),
            outputPath: "", maskPath: nil)
        let base = FakeProcessor.keystreamBase(task, member: nil, settings: DropoutSettings(rate: 0.25))
        #expect(
            big
                == pattern(50_000, seed: 2).enumerated().map {
                    $0.element ^ FakeProcessor.keystream(base, at: $0.offset)
                })

        let manifest = try #require(readBytes(out + "/manifest.jsonl"))
        let lines = String(decoding: manifest, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.count == 9)  // 6 npy + 3 npz members
        #expect(manifest == ManifestFiles.encode(report.records))
        #expect(report.records == ManifestFiles.sorted(report.records))
        #expect(
            report.records.map { "\($0.input)|\($0.member ?? "-")" } == [
                ".hidden/h.npy|-", "a/big.npy|-", "a/small.npy|-", "b.npy|-", "empty.npy|-",
                "z/arch.npz|labels.npy", "z/arch.npz|x.npy", "z/arch.npz|y.npy", "日本/名前.npy|-",
            ])
        let record = try #require(report.records.first { $0.input == "a/big.npy" })
        #expect(record.output == "data/a/big.npy" && record.mask == "masks/a/big.npy")
        #expect(record.outputMember == nil && record.maskMember == nil && record.member == nil)
        #expect(record.status == .ok && record.error == nil && record.seed == 42 && record.rate == 0.25)
        #expect(record.variant == "dropout" && record.shape == [50_000] && record.noiseShape == [50_000])
        #expect(record.spawnKey == ArrayKey(relpath: "a/big.npy", member: nil).spawnKey(copy: 0))
        let member = try #require(report.records.first { $0.member == "x.npy" })
        #expect(member.outputMember == "x.npy" && member.maskMember == "x.npy" && member.compression == "input")
        #expect(temporaries(out).isEmpty)
        // Not a terminal: no progress, just the summary line.
        #expect(!captured.error.contains("\r"))
        #expect(captured.errorLines.count == 1)
        #expect(captured.errorLines.last?.hasPrefix("npdrop: 7 files, 9 arrays (9 ok, 0 copied, 0 errors), ") == true)
        let npzBytes: Int = "x.npy\ny.npy\nlabels.npy\n".utf8.count
        let npyBytes: Int = 100 + 50_000 + 8192 + 10 + 5000
        #expect(report.summary.bytesRead == Int64(npyBytes + npzBytes))
    }

    @Test func outputsDoNotDependOnJobsOrSegments() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let input = makeDataset(scratch)
        var reference: [String: [UInt8]]?
        for (jobs, segment) in [(1, 1 << 20), (1, 4096), (2, 4096), (4, 1000), (4, 7)] {
            let out = scratch.sub("out-\(jobs)-\(segment)")
            let counters = FakeCounters()
            let report = try BatchRun(
                options: testOptions(input, out, jobs: jobs, segmentBytes: segment),
                processor: FakeProcessor(counters: counters), console: Captured().console()
            ).run()
            #expect(report.exitCode == 0)
            #expect(counters.segments >= 7)
            let files = tree(out)
            if let reference {
                #expect(files == reference, "jobs \(jobs), segments of \(segment) bytes")
            } else {
                reference = files
            }
        }
    }

    @Test func copiesGoToCopyDirectoriesWithTheirOwnKeys() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        scratch.write("in/x.npy", pattern(300, seed: 9))
        var options = testOptions(scratch.sub("in"), scratch.sub("out"))
        options.copies = 3
        let report = try BatchRun(options: options, processor: FakeProcessor(), console: Captured().console()).run()
        let files = tree(scratch.sub("out"))
        #expect(
            files.keys.sorted() == [
                "copy-0/data/x.npy", "copy-0/masks/x.npy", "copy-1/data/x.npy", "copy-1/masks/x.npy",
                "copy-2/data/x.npy", "copy-2/masks/x.npy", "manifest.jsonl",
            ])
        #expect(files["copy-0/data/x.npy"] != files["copy-1/data/x.npy"])
        #expect(report.records.map(\.copy) == [0, 1, 2])
        #expect(report.records.map { $0.spawnKey[0] } == [0, 1, 2])
        #expect(report.records.map(\.output) == ["copy-0/data/x.npy", "copy-1/data/x.npy", "copy-2/data/x.npy"])
    }

    @Test func oneBadFileDoesNotStopTheOthers() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let input = makeDataset(
            scratch,
            extra: [
                "c/corrupt.npy": pattern(64, seed: 7),
                "c/badsegment.npy": pattern(20_000, seed: 8),
                "c/members.npz": Array("good.npy\ncorrupt_obj.npy\n".utf8),
            ])
        let out = scratch.sub("out")
        let captured = Captured()
        let counters = FakeCounters()
        let report = try BatchRun(
            options: testOptions(input, out, jobs: 3), processor: FakeProcessor(counters: counters),
            console: captured.console()
        ).run()
        #expect(report.exitCode == 1)
        #expect(report.summary.arrayErrors == 4)
        #expect(report.summary.arraysOK == 9)
        let errors = report.records.filter { $0.status == .error }
        #expect(
            errors.map { "\($0.input)|\($0.member ?? "-")" } == [
                "c/badsegment.npy|-", "c/corrupt.npy|-", "c/members.npz|corrupt_obj.npy", "c/members.npz|good.npy",
            ])
        #expect(errors[0].error == "c/badsegment.npy: bad data in segment 4")
        #expect(errors[1].error == "c/corrupt.npy: corrupt header")
        #expect(errors[2].error == "c/members.npz: member 'corrupt_obj.npy': unsupported dtype 'O'")
        #expect(
            errors[3].error == "c/members.npz: not written because member 'corrupt_obj.npy' of the same file failed")
        #expect(errors.allSatisfy { $0.output == nil && $0.mask == nil && $0.rate == 0.25 })
        // Nothing under a final name for the failed files, no temporaries, the others complete.
        let files = tree(out)
        #expect(files.keys.filter { $0.hasPrefix("data/c/") || $0.hasPrefix("masks/c/") }.isEmpty)
        #expect(files["data/a/big.npy"]?.count == 50_000)
        #expect(temporaries(out).isEmpty)
        #expect(counters.abandonCount == 1)  // badsegment: prepared, then a segment failed
        // One line per failed array on stderr, naming it; then the summary.
        let lines = captured.errorLines
        #expect(
            lines.filter { $0.hasPrefix("npdrop: error: ") }.sorted()
                == errors.map { "npdrop: error: \($0.error!)" }.sorted())
        #expect(lines.last?.contains("4 errors") == true)
    }

    @Test func membersSelectsWhatIsProcessedAndCopiesTheRest() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        scratch.write("in/d.npz", text: "x.npy\ny.npy\nz.npy\n")
        scratch.write("in/only_copied.npz", text: "y.npy\n")
        var options = testOptions(scratch.sub("in"), scratch.sub("out"))
        options.members = try MemberSelection(parsing: "x,z.npy")
        let report = try BatchRun(options: options, processor: FakeProcessor(), console: Captured().console()).run()
        #expect(
            report.records.map { "\($0.input)|\($0.member!)|\($0.status.rawValue)" } == [
                "d.npz|x.npy|ok", "d.npz|y.npy|copied", "d.npz|z.npy|ok", "only_copied.npz|y.npy|copied",
            ])
        let copied = report.records[1]
        #expect(copied.output == "data/d.npz" && copied.outputMember == "y.npy")
        #expect(
            copied.mask == nil && copied.maskMember == nil && copied.variant == nil && copied.rate == nil
                && copied.noiseShape == nil)
        #expect(copied.shape == [2, 3] && copied.dtype == "<f4")
        // No member processed: no mask file at all.
        let files = tree(scratch.sub("out"))
        #expect(files["masks/d.npz"] == Array("x.npy\nz.npy\n".utf8))
        #expect(files["masks/only_copied.npz"] == nil)
        #expect(report.summary.arraysCopied == 2)
    }

    @Test func rulesAndNoMasksReachTheProcessorAndTheRecords() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        scratch.write("in/img/a.npy", pattern(50, seed: 1))
        scratch.write("in/img/b.npz", text: "x.npy\ny.npy\n")
        scratch.write("in/other.npy", pattern(50, seed: 2))
        let rules = [
            DropoutRule(
                match: try GlobPattern("img/*.npz"), member: try GlobPattern("x"),
                overrides: DropoutOverrides(variant: .spatial2d, rate: 0.5)),
            DropoutRule(
                match: try GlobPattern("img/**"),
                overrides: DropoutOverrides(rate: 0.75, noiseShape: .some(try NoiseSpec(dims: [1], origin: "test")))),
        ]
        var options = testOptions(scratch.sub("in"), scratch.sub("out"), rules: rules)
        options.writeMasks = false
        let report = try BatchRun(options: options, processor: FakeProcessor(), console: Captured().console()).run()
        let summary = report.records.map {
            "\($0.input)|\($0.member ?? "-")|\($0.variant!)|\($0.rate!)|\($0.noiseShapeSpec ?? "preset")"
        }
        #expect(
            summary == [
                "img/a.npy|-|dropout|0.75|1", "img/b.npz|x.npy|spatial2d|0.5|preset",
                "img/b.npz|y.npy|dropout|0.75|1", "other.npy|-|dropout|0.25|preset",
            ])
        #expect(report.records[0].noiseShape == [1])
        #expect(report.records.allSatisfy { $0.mask == nil && $0.maskMember == nil })
        #expect(tree(scratch.sub("out")).keys.filter { $0.hasPrefix("masks/") }.isEmpty)
    }

    @Test func manifestIsAppendedAsFilesFinishAndRewrittenSortedAtTheEnd() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        for name in ["d.npy", "c.npy", "b.npy", "a.npy", "e.npy"] { scratch.write("in/" + name, pattern(40, seed: 1)) }
        let out = scratch.sub("out")
        let seen = Locked<[[String]]>([])
        var processor = FakeProcessor()
        processor.observer = { _ in
            // What a reader (or a crash) would find on disk at this moment.
            let text = String(decoding: readBytes(out + "/manifest.jsonl") ?? [], as: UTF8.self)
            let inputs = text.split(separator: "\n").map { line -> String in
                ManifestFiles.decode(line: Array(line.utf8))?.input ?? "INVALID"
            }
            seen.withLock { $0.append(inputs) }
        }
        let report = try BatchRun(
            options: testOptions(scratch.sub("in"), out, jobs: 1), processor: processor,
            console: Captured().console()
        ).run()
        #expect(
            seen.withLock { $0 } == [
                [], ["a.npy"], ["a.npy", "b.npy"], ["a.npy", "b.npy", "c.npy"],
                ["a.npy", "b.npy", "c.npy", "d.npy"],
            ])
        #expect(report.records.map(\.input) == ["a.npy", "b.npy", "c.npy", "d.npy", "e.npy"])
    }

    @Test func resumeSkipsWhatIsDoneAndRedoesTheRest() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let input = makeDataset(scratch, extra: ["c/corrupt.npy": [1, 2]])
        let out = scratch.sub("out")
        let first = try BatchRun(
            options: testOptions(input, out), processor: FakeProcessor(), console: Captured().console()
        ).run()
        let firstTree = tree(out)
        #expect(first.exitCode == 1)

        // Simulate a run killed while writing: one output gone, a temporary left behind, the
        // manifest cut in the middle of a line. The input with an error is fixed meanwhile.
        try FileManager.default.removeItem(atPath: out + "/data/b.npy")
        let leftover =
            out + "/data/a/"
            + TempNames.name(tag: TempNames.tag(forInput: "a/big.npy"), processID: 1, sequence: 1, base: "big.npy")
        scratch.write("out/data/a/" + (leftover as NSString).lastPathComponent, [9, 9, 9])
        var log = readBytes(out + "/manifest.jsonl")!
        log += Array("{\"input\":\"a/sm".utf8)
        scratch.write("out/manifest.jsonl", log)
        try FileManager.default.moveItem(atPath: input + "/c/corrupt.npy", toPath: input + "/c/fixed.npy")

        let counters = FakeCounters()
        var options = testOptions(input, out, seed: nil)  // the seed comes from the manifest
        options.resume = true
        let captured = Captured()
        let second = try BatchRun(
            options: options, processor: FakeProcessor(counters: counters), console: captured.console()
        ).run()
        #expect(counters.preparedNames.sorted() == ["b.npy", "c/fixed.npy"])
        #expect(second.exitCode == 0)
        #expect(second.summary.seed == 42)
        #expect(second.summary.resumedTasks == 6)
        #expect(captured.error.contains("removed 1 temporary file(s) left by an interrupted run"))
        #expect(captured.error.contains("ignoring 1 incomplete line(s)"))
        var expected = firstTree
        expected["data/c/fixed.npy"] = tree(out)["data/c/fixed.npy"]
        expected["masks/c/fixed.npy"] = tree(out)["masks/c/fixed.npy"]
        expected["manifest.jsonl"] = tree(out)["manifest.jsonl"]
        #expect(tree(out) == expected)
        #expect(
            second.records.filter { $0.input != "c/fixed.npy" } == first.records.filter { $0.input != "c/corrupt.npy" })
        // The log had old lines, a cut-off line and new lines appended out of order; the final
        // manifest is the sorted set, one line per array.
        #expect(second.records == ManifestFiles.sorted(second.records))
        #expect(readBytes(out + "/manifest.jsonl") == ManifestFiles.encode(second.records))
        #expect(second.records.count == 10)

        // Changed settings: --resume refuses (exit 2) and leaves OUT as it was.
        var changed = options
        changed.settings = ArraySettingsResolver(defaults: DropoutSettings(rate: 0.5))
        let before = tree(out)
        let refused = FakeCounters()
        do {
            _ = try BatchRun(
                options: changed, processor: FakeProcessor(counters: refused), console: Captured().console()
            ).run()
            Issue.record("--resume with another rate was not refused")
        } catch let error as RunnerError {
            #expect(error.exitCode == 2)
            #expect(error.description.contains("(rate 0.25 there, 0.5 now, first at .hidden/h.npy)"), "\(error)")
            #expect(error.description.contains("--overwrite to replace the earlier run"), "\(error)")
        }
        #expect(refused.preparedNames.isEmpty)
        #expect(tree(out) == before)
        // --overwrite replaces the earlier run: everything is redone.
        changed.resume = false
        changed.overwrite = true
        let redo = FakeCounters()
        let third = try BatchRun(
            options: changed, processor: FakeProcessor(counters: redo), console: Captured().console()
        ).run()
        #expect(redo.preparedNames.count == 8)
        #expect(third.records.allSatisfy { $0.rate == 0.5 })
        // And the same again with --resume: everything skipped, manifest unchanged byte for byte.
        changed.overwrite = false
        changed.resume = true
        let manifest = readBytes(out + "/manifest.jsonl")
        let none = FakeCounters()
        _ = try BatchRun(options: changed, processor: FakeProcessor(counters: none), console: Captured().console())
            .run()
        #expect(none.preparedNames.isEmpty)
        #expect(readBytes(out + "/manifest.jsonl") == manifest)
    }

    @Test func cleanupRemovesOnlyThisShardsTemporaries() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        scratch.write("in/p.npy", [1])
        let shard = try ShardSpec(index: 0, count: 2)
        // One relpath per shard.
        let names = (0..<40).map { "f\($0).npy" }
        let mine = try #require(names.first { shard.owns($0) })
        let theirs = try #require(names.first { !shard.owns($0) })
        let mineTemp = TempNames.name(tag: TempNames.tag(forInput: mine), processID: 5, sequence: 1, base: mine)
        let theirTemp = TempNames.name(tag: TempNames.tag(forInput: theirs), processID: 5, sequence: 2, base: theirs)
        let manifestTemp = TempNames.name(
            tag: TempNames.manifestTag, processID: 5, sequence: 3, base: shard.manifestName)
        let otherManifestTemp = TempNames.name(
            tag: TempNames.manifestTag, processID: 5, sequence: 4, base: "manifest-shard-1-of-2.jsonl")
        for path in [
            "out/data/" + mineTemp, "out/copy-1/masks/" + theirTemp, "out/" + manifestTemp, "out/" + otherManifestTemp,
        ] {
            scratch.write(path, [0])
        }
        var options = testOptions(scratch.sub("in"), scratch.sub("out"))
        options.shard = shard
        _ = try BatchRun(options: options, processor: FakeProcessor(), console: Captured().console()).run()
        #expect(temporaries(scratch.sub("out")) == ["copy-1/masks/" + theirTemp, otherManifestTemp].sorted())
        // Unsharded (resuming: OUT holds the shard's run): every leftover goes.
        options.shard = nil
        options.resume = true
        _ = try BatchRun(options: options, processor: FakeProcessor(), console: Captured().console()).run()
        #expect(temporaries(scratch.sub("out")).isEmpty)
    }

    @Test func shardsTogetherEqualOneMachine() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let input = makeDataset(
            scratch,
            extra: Dictionary(
                uniqueKeysWithValues: (0..<12).map { ("many/f\($0).npy", pattern(30 + $0, seed: UInt8($0))) }))
        let whole = scratch.sub("whole")
        var options = testOptions(input, whole)
        options.copies = 2
        _ = try BatchRun(options: options, processor: FakeProcessor(), console: Captured().console()).run()

        let sharded = scratch.sub("sharded")
        var counts: [Int] = []
        for index in [2, 0, 1] {
            var part = options
            part.output = sharded
            part.shard = try ShardSpec(index: index, count: 3)
            let report = try BatchRun(options: part, processor: FakeProcessor(), console: Captured().console()).run()
            counts.append(report.summary.files)
        }
        #expect(counts.reduce(0, +) == 19)
        #expect(counts.allSatisfy { $0 > 0 })
        #expect(try ManifestFiles.merge(outputDirectory: sharded) == 2 * 21)
        var shardedTree = tree(sharded)
        for index in 0..<3 {
            shardedTree["manifest-shard-\(index)-of-3.jsonl"] = nil
            shardedTree["manifest-shard-\(index)-of-3.state.json"] = nil
        }
        #expect(shardedTree == tree(whole))

        // The documented Python recipe gives the same bytes.
        let recipe = """
            import glob, json, sys
            out = sys.argv[1]
            lines = []
            for p in sorted(glob.glob(out + "/manifest-shard-*-of-*.jsonl")):
                with open(p, encoding="utf-8") as f:
                    lines += [l for l in f if l.strip()]
            def key(line):
                r = json.loads(line)
                return (r["input"].encode(), r["member"] is not None, (r["member"] or "").encode(), r["copy"])
            with open(out + "/merged.jsonl", "w", encoding="utf-8") as f:
                f.writelines(sorted(lines, key=key))
            """
        if try python(recipe, arguments: [sharded]) != nil {
            #expect(readBytes(sharded + "/merged.jsonl") == readBytes(whole + "/manifest.jsonl"))
        }
    }

    @Test func walkErrorsGetRecordsAndRandomSeedsAreReported() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        scratch.write("in/ok.npy", [1, 2, 3])
        try FileManager.default.createDirectory(atPath: scratch.sub("in/locked"), withIntermediateDirectories: true)
        scratch.write("in/locked/x.npy", [1])
        try FileManager.default.createSymbolicLink(
            atPath: scratch.sub("in/l.npy"), withDestinationPath: scratch.sub("in/ok.npy"))
        chmod(scratch.sub("in/locked"), 0)
        defer { chmod(scratch.sub("in/locked"), 0o755) }
        // root can read anyway
        let lockedIsReadable = FileManager.default.isReadableFile(atPath: scratch.sub("in/locked"))
        let captured = Captured()
        var options = testOptions(scratch.sub("in"), scratch.sub("out"), seed: nil)
        options.json = true
        let report = try BatchRun(options: options, processor: FakeProcessor(), console: captured.console()).run()
        let seed = report.summary.seed
        #expect(
            captured.error.contains("npdrop: seed \(seed) (drawn at random; pass --seed \(seed) to repeat this run)\n"))
        #expect(captured.error.contains("npdrop: l.npy: symlink not followed; skipped\n"))
        #expect(report.records.allSatisfy { $0.seed == seed })
        if !lockedIsReadable {
            #expect(report.exitCode == 1)
            #expect(report.records.first { $0.input == "locked" }?.status == .error)
        }
        // --json: the summary on stdout, seed exact.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(captured.output.utf8)) as? [String: Any])
        #expect((json["seed"] as? NSNumber)?.uint64Value == seed)
        #expect(json["skipped"] as? Int == 1)
        #expect(captured.output.contains("\"seed\":\(seed),"))
    }

    @Test func progressOnATerminalAndQuiet() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let input = makeDataset(scratch)
        let terminal = Captured()
        _ = try BatchRun(
            options: testOptions(input, scratch.sub("out1")), processor: FakeProcessor(),
            console: terminal.console(terminal: true)
        ).run()
        #expect(terminal.error.contains("\rnpdrop: 7/7 files, "))
        #expect(terminal.error.contains("ETA"))
        #expect(terminal.errorLines.last?.contains("npdrop: 7 files, 9 arrays") == true)

        let quiet = Captured()
        var options = testOptions(input, scratch.sub("out2"))
        options.quiet = true
        _ = try BatchRun(options: options, processor: FakeProcessor(), console: quiet.console(terminal: true)).run()
        #expect(quiet.error.isEmpty)
        #expect(quiet.output.isEmpty)
    }
}
