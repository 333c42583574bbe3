import Foundation
import Testing

@testable import BatchRunner

/// `--resume` with nothing left to do leaves a finished run's manifest as it is (it would be
/// rewritten to the same bytes); anything else still redoes what is stale and rewrites it.
@Suite struct ResumeUnchangedManifestTests {
    private func inode(_ path: String) -> UInt64 {
        var info = stat()
        return lstat(path, &info) == 0 ? UInt64(info.st_ino) : 0
    }

    @Test func nothingToDoLeavesTheManifestAndAStaleFileIsStillRedone() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        for index in 0..<12 { scratch.write("in/g\(index % 3)/f\(index).npy", pattern(300 + index, seed: 3)) }
        let input = scratch.sub("in")
        let out = scratch.sub("out")
        let manifestPath = out + "/manifest.jsonl"
        let first = try BatchRun(
            options: testOptions(input, out), processor: FakeProcessor(), console: Captured().console()
        ).run()
        let original = try #require(readBytes(manifestPath))
        let originalTree = tree(out)
        var options = testOptions(input, out)
        options.resume = true
        func resume() throws -> (RunReport, FakeCounters) {
            let counters = FakeCounters()
            let report = try BatchRun(
                options: options, processor: FakeProcessor(counters: counters), console: Captured().console()
            ).run()
            return (report, counters)
        }

        // Nothing to do: the same file (not replaced), the same counts as the run's.
        let before = inode(manifestPath)
        let (same, none) = try resume()
        #expect(none.preparedNames.isEmpty)
        #expect(inode(manifestPath) == before)
        #expect(readBytes(manifestPath) == original)
        #expect(same.summary.resumedTasks == 12)
        #expect(same.summary.arrays == first.summary.arrays)
        #expect(same.summary.arraysOK == first.summary.arraysOK)
        #expect(same.records == first.records)

        // A blank line in it: nothing to do, but the file is not what would be written: rewritten.
        scratch.write("out/manifest.jsonl", original + [0x0A])
        let (_, blank) = try resume()
        #expect(blank.preparedNames.isEmpty)
        #expect(readBytes(manifestPath) == original)

        // A truncated output, an input touched (a new modification time): both redone.
        scratch.write("out/data/g1/f4.npy", [1, 2, 3])
        let touched = input + "/g2/f8.npy"
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: touched)
        let (redone, counters) = try resume()
        #expect(counters.preparedNames.sorted() == ["g1/f4.npy", "g2/f8.npy"])
        #expect(redone.summary.resumedTasks == 10)
        var expected = originalTree
        expected["manifest.jsonl"] = nil
        var now = tree(out)
        now["manifest.jsonl"] = nil
        #expect(now == expected)
        // The touched input's record has its new time; every other line is as it was.
        let lines = try #require(readBytes(manifestPath)).split(separator: 0x0A)
        let old = original.split(separator: 0x0A)
        #expect(lines.count == old.count)
        for (line, was) in zip(lines, old) where !String(decoding: was, as: UTF8.self).contains("g2/f8.npy") {
            #expect(line == was)
        }

        // Nothing left to do again: left as it is.
        let rewritten = try #require(readBytes(manifestPath))
        let inodeNow = inode(manifestPath)
        let (_, again) = try resume()
        #expect(again.preparedNames.isEmpty)
        #expect(inode(manifestPath) == inodeNow)
        #expect(readBytes(manifestPath) == rewritten)
    }
}
