import Foundation
import Testing

@testable import BatchRunner

/// `--resume` reads the earlier manifest as a stream merged with the sorted plan.
@Suite struct EarlierManifestTests {
    static func write(_ text: [UInt8], to path: String) throws {
        try Data(text).write(to: URL(fileURLWithPath: path))
    }

    @Test func lineReaderGivesEveryLineUpToTheSizeWhenOpened() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let path = scratch.sub("m.jsonl")
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
        try Self.write(Array("a\n\nbb\n".utf8) + long + Array("\nccc\n".utf8) + long + Array("\ndd".utf8), to: path)
        let reader = try #require(try ManifestLineReader(path: path, maxLineBytes: 150_000))
        // Appended after the reader opened: not read.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("\nlater\n".utf8))
        try handle.close()
        var lines: [String] = []
        while let line = try reader.nextLine({ String(decoding: $0, as: UTF8.self) }) { lines.append(line) }
        #expect(lines == ["a", "", "bb", "ccc", "dd"])
        #expect(reader.overlongLines == 2)
        #expect(try ManifestLineReader(path: scratch.sub("missing"), maxLineBytes: 10) == nil)
    }

    @Test func lineReaderHandlesLinesAcrossChunks() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let path = scratch.sub("m.jsonl")
        var expected: [String] = []
        var bytes: [UInt8] = []
        for index in 0..<5000 {
            let line = String(repeating: "\(index % 10)", count: index % 97)
            expected.append(line)
            bytes += Array(line.utf8) + [0x0A]
        }
        try Self.write(bytes, to: path)
        let reader = try #require(try ManifestLineReader(path: path, maxLineBytes: 1 << 20))
        var lines: [String] = []
        while let line = try reader.nextLine({ String(decoding: $0, as: UTF8.self) }) { lines.append(line) }
        #expect(lines == expected)
    }

    static func records() -> [ManifestRecord] {
        var list: [ManifestRecord] = []
        for input in ["a.npy", "b/c.npz", "b/d.npy", "e.npy"] {
            for copy in 0..<2 {
                if input.hasSuffix(".npz") {
                    list.append(ManifestTests.record(input: input, member: "m1.npy", copy: copy))
                    list.append(ManifestTests.record(input: input, member: "m2.npy", copy: copy))
                } else {
                    list.append(ManifestTests.record(input: input, member: nil, copy: copy))
                }
            }
        }
        return ManifestFiles.sorted(list)
    }

    /// What the cursor gives for `inputs`, as (input, member, copy, rate) text.
    /// Both readings give the same records: for `.decisions` whole ones (no line bytes when
    /// streamed), for `.carriedLines` the line (its whole record's rate shown) and its identity.
    static func lookups(_ manifest: EarlierManifest, _ inputs: [String]) throws -> [String] {
        var decisions = try manifest.cursor(reading: .decisions)
        var carried = try manifest.cursor(reading: .carriedLines)
        return try inputs.map { input in
            let whole = try decisions.entries(forInput: input).map {
                "\($0.record.input)|\($0.record.member ?? "-")|\($0.record.copy)|\($0.record.rate ?? -1)|\($0.line.isEmpty || String(decoding: $0.line, as: UTF8.self) == $0.record.jsonLine)"
            }
            let lines = try carried.entries(forInput: input).map { entry -> String in
                let full = ManifestFiles.decode(line: entry.line)
                let same =
                    full?.jsonLine == String(decoding: entry.line, as: UTF8.self) && full?.status == entry.record.status
                return
                    "\(entry.record.input)|\(entry.record.member ?? "-")|\(entry.record.copy)|\(full?.rate ?? -1)|\(same)"
            }
            #expect(whole == lines, "\(input)")
            return whole.joined(separator: " ")
        }
    }

    @Test func aSortedManifestIsStreamedAndAnUnsortedOneHeldSorted() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let sortedPath = scratch.sub("sorted.jsonl")
        let records = Self.records()
        try Self.write(ManifestFiles.encode(records) + Array("{\"input\":\"cut".utf8), to: sortedPath)
        let sorted = try #require(try EarlierManifest.open(path: sortedPath))
        #expect(sorted.streamsRecords)
        #expect(sorted.invalidLines == 1)
        #expect(sorted.seeds == [UInt64.max])

        // The same records shuffled, one array twice (the later line wins), another seed.
        var shuffled = Array(records.reversed())
        var newer = records[0]
        newer.rate = 0.75
        newer.seed = 5
        shuffled.append(newer)
        let unsortedPath = scratch.sub("unsorted.jsonl")
        try Self.write(ManifestFiles.encode(shuffled), to: unsortedPath)
        let unsorted = try #require(try EarlierManifest.open(path: unsortedPath))
        #expect(!unsorted.streamsRecords)
        #expect(unsorted.invalidLines == 0)
        #expect(unsorted.seeds == [5, UInt64.max])

        // Asked in plan order, skipping inputs the plan no longer has and asking for new ones.
        let inputs = ["0.npy", "a.npy", "b/c.npz", "b/ca.npy", "e.npy", "z.npy"]
        let streamed = try Self.lookups(sorted, inputs)
        #expect(
            streamed == [
                "",
                "a.npy|-|0|0.1|true a.npy|-|1|0.1|true",
                "b/c.npz|m1.npy|0|0.1|true b/c.npz|m1.npy|1|0.1|true b/c.npz|m2.npy|0|0.1|true b/c.npz|m2.npy|1|0.1|true",
                "",
                "e.npy|-|0|0.1|true e.npy|-|1|0.1|true",
                "",
            ])
        var expectedHeld = streamed
        expectedHeld[1] = "a.npy|-|0|0.75|true a.npy|-|1|0.1|true"
        #expect(try Self.lookups(unsorted, inputs) == expectedHeld)
        #expect(try EarlierManifest.open(path: scratch.sub("none.jsonl")) == nil)
    }

    @Test func aDuplicateInASortedLookingFileMakesItHeld() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let path = scratch.sub("m.jsonl")
        let records = Self.records()
        var newer = records[records.count - 1]
        newer.rate = 0.25
        try Self.write(ManifestFiles.encode(records + [newer]), to: path)
        let manifest = try #require(try EarlierManifest.open(path: path))
        #expect(!manifest.streamsRecords)
        let last = try Self.lookups(manifest, ["e.npy"])
        #expect(last == ["e.npy|-|0|0.1|true e.npy|-|1|0.25|true"])
    }
}

extension EarlierManifestTests {
    @Test func withoutTheScanTheCursorChecksTheOrderAndCountsInvalidLines() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let sortedPath = scratch.sub("sorted.jsonl")
        let records = Self.records()
        try Self.write(
            Array("not json\n".utf8) + ManifestFiles.encode(records) + Array("{\"input\":\"cut".utf8), to: sortedPath)
        let sorted = try #require(try EarlierManifest.open(path: sortedPath, scanning: false))
        #expect(sorted.streamsRecords && sorted.seeds == nil && sorted.invalidLines == nil)
        var cursor = try sorted.cursor(reading: .carriedLines)
        #expect(try cursor.entries(forInput: "b/d.npy").count == 2)
        try cursor.drain()
        #expect(cursor.invalidLines == 2)

        let unsortedPath = scratch.sub("unsorted.jsonl")
        try Self.write(ManifestFiles.encode([records[2], records[0]] + records), to: unsortedPath)
        let unsorted = try #require(try EarlierManifest.open(path: unsortedPath, scanning: false))
        var reader = try unsorted.cursor(reading: .decisions)
        #expect(throws: EarlierManifest.OutOfOrder.self) { _ = try reader.entries(forInput: "z.npy") }
        #expect(try EarlierManifest.open(path: unsortedPath)?.streamsRecords == false)
    }
}
