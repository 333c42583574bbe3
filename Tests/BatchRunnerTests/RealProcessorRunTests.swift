import DropoutFiles
import Foundation
import NPYFormat
import NPZContainer
import Testing

@testable import BatchRunner

/// Runs through the real processor (`DropoutFileProcessor`, DropoutFiles' jobs writing into the
/// runner's outputs), not the fake: the write path every real run takes.
@Suite struct RealProcessorRunTests {
    static let f4 = DType(kind: .float, itemSize: 4, byteOrder: .little)

    /// An `.npy` of `count` float32 values, as `np.save` lays it out.
    static func npy(count: Int, seed: UInt8) -> [UInt8] {
        NPYHeaderEncoder.encode(dtype: f4, fortranOrder: false, shape: [count]) + pattern(count * 4, seed: seed)
    }

    static func run(_ input: String, _ out: String, rate: Double, jobs: Int, segmentBytes: Int) throws -> RunReport {
        var options = testOptions(input, out, jobs: jobs, segmentBytes: segmentBytes)
        options.settings = ArraySettingsResolver(defaults: DropoutSettings(rate: rate), rules: [], pinned: [])
        return try BatchRun(
            options: options, processor: DropoutFileProcessor(chunkBytes: 1 << 12),
            console: Captured().console()
        ).run()
    }

    @Test func segmentsAndWorkersWriteTheSameBytesThroughTheRealJobs() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        scratch.write("in/a/big.npy", Self.npy(count: 50_000, seed: 1))
        scratch.write("in/small.npy", Self.npy(count: 10, seed: 2))
        var reference: [String: [UInt8]]?
        for (jobs, segment) in [(1, 1 << 20), (3, 4096), (2, 1000)] {
            let out = scratch.sub("out-\(jobs)-\(segment)")
            let report = try Self.run(scratch.sub("in"), out, rate: 0.5, jobs: jobs, segmentBytes: segment)
            #expect(report.exitCode == 0)
            #expect(temporaries(out).isEmpty)
            var files = tree(out)
            files["manifest.jsonl"] = nil  // holds the seconds each file took
            #expect(files.keys.sorted() == ["data/a/big.npy", "data/small.npy", "masks/a/big.npy", "masks/small.npy"])
            #expect(files["data/a/big.npy"] != readBytes(scratch.sub("in/a/big.npy")))
            if let reference {
                #expect(files == reference, "jobs \(jobs), segments of \(segment) bytes")
            } else {
                reference = files
            }
        }
    }

    @Test func rateZeroCopiesArraysAndMembersByteForByte() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let x = Self.npy(count: 3000, seed: 3)
        scratch.write("in/x.npy", x)
        let meta = Array(#"{"note": "kept"}"#.utf8)
        try FileManager.default.createDirectory(atPath: scratch.sub("in/z"), withIntermediateDirectories: true)
        let writer = try ZipArchiveWriter(path: scratch.sub("in/z/pair.npz"))
        for (name, bytes) in [("y.npy", Self.npy(count: 700, seed: 4)), ("meta.json", meta)] {
            let member = try writer.beginMember(name: name)
            try bytes.withUnsafeBytes { try member.write($0) }
            try writer.finishMember()
        }
        try writer.finish()
        let out = scratch.sub("out")
        let report = try Self.run(scratch.sub("in"), out, rate: 0, jobs: 2, segmentBytes: 4096)
        #expect(report.exitCode == 0)
        #expect(readBytes(out + "/data/x.npy") == x)
        let archive = try ZipArchiveReader(path: out + "/data/z/pair.npz")
        #expect(archive.entries.map(\.name) == ["y.npy", "meta.json"])
        for (name, expected) in [("y.npy", Self.npy(count: 700, seed: 4)), ("meta.json", meta)] {
            let source = try archive.openMember(named: name)
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { break }
                bytes += buffer[0..<n]
            }
            #expect(bytes == expected, "\(name)")
        }
        #expect(temporaries(out).isEmpty)
    }
}
