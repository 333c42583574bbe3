import DropoutEngine
import DropoutFiles
import Foundation
import NPYFormat
import NPYStream

/// A source over bytes in memory that hands out at most `maxRead` bytes per call.
final class PipelineMemorySource: ByteSource {
    let bytes: [UInt8]
    private var position = 0
    private let maxRead: Int

    init(_ bytes: [UInt8], maxRead: Int = Int.max) {
        self.bytes = bytes
        self.maxRead = maxRead
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - position, maxRead)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: count)
        }
        position += count
        return count
    }
}

/// A sink collecting everything written to it.
final class PipelineMemorySink: ByteSink {
    private(set) var bytes: [UInt8] = []

    func write(_ data: UnsafeRawBufferPointer) throws {
        bytes.append(contentsOf: data)
    }
}

/// Runs a plan over in-memory `.npy` bytes in both modes the pipeline offers.
enum PipelineHarness {
    /// The header of `.npy` bytes.
    static func header(of file: [UInt8], name: String = "in.npy") throws -> NPYHeader {
        try NPYReader(source: PipelineMemorySource(file), name: name).header
    }

    /// Sequential streaming: (result file bytes, mask file bytes).
    static func runSequential(
        _ plan: ArrayDropoutPlan, input: [UInt8], chunkElements: Int?, scratchBytes: Int = 1 << 16,
        maxRead: Int = Int.max
    ) throws -> (output: [UInt8], mask: [UInt8]) {
        let reader = try NPYReader(source: PipelineMemorySource(input, maxRead: maxRead), name: plan.name)
        let output = PipelineMemorySink()
        let mask = PipelineMemorySink()
        try plan.run(
            reader: reader, output: output, outputName: "out.npy", mask: mask, maskName: "mask.npy",
            scratch: DropoutScratch(chunkBytes: scratchBytes), chunkElements: chunkElements)
        return (output.bytes, mask.bytes)
    }

    /// Positioned segments: writes `input` to a file in `folder`, cuts `0..<elementCount` into
    /// `segments` random pieces, processes them in random order (random chunk sizes), and
    /// returns the result and mask files' bytes.
    static func runSegments(
        _ plan: ArrayDropoutPlan, input: [UInt8], in folder: URL, segments: Int, random: inout TestRandom
    ) throws -> (output: [UInt8], mask: [UInt8]) {
        let tag = UUID().uuidString
        let inputURL = folder.appendingPathComponent("in-\(tag).npy")
        let outputURL = folder.appendingPathComponent("out-\(tag).npy")
        let maskURL = folder.appendingPathComponent("mask-\(tag).npy")
        defer {
            for url in [inputURL, outputURL, maskURL] { try? FileManager.default.removeItem(at: url) }
        }
        try Data(input).write(to: inputURL)
        let inputFD = try FileDescriptor.openForReading(inputURL.path)
        let outputFD = try FileDescriptor.createExclusive(outputURL.path)
        let maskFD = try FileDescriptor.createExclusive(maskURL.path)
        let outputSink = FileOutputSink(descriptor: outputFD, name: outputURL.path)
        let maskSink = FileOutputSink(descriptor: maskFD, name: maskURL.path)
        try plan.writeHeaders(output: outputSink, mask: maskSink)
        let n = plan.elementCount
        var cuts = [0, n]
        for _ in 0..<max(0, segments - 1) where n > 0 { cuts.append(random.below(n + 1)) }
        cuts.sort()
        var ranges = (0..<(cuts.count - 1)).map { cuts[$0]..<cuts[$0 + 1] }
        for i in ranges.indices.reversed() {  // shuffle
            ranges.swapAt(i, random.below(i + 1))
        }
        let scratch = DropoutScratch(chunkBytes: 1 << 12)
        for range in ranges {
            try plan.process(
                elements: range, input: inputFD, inputDataOffset: plan.header.dataOffset,
                output: outputSink, outputDataOffset: plan.outputHeader.dataOffset,
                mask: maskSink, maskDataOffset: plan.maskHeader.dataOffset,
                scratch: scratch, chunkElements: 1 + random.below(9))
        }
        try outputFD.close()
        try maskFD.close()
        let output = [UInt8](try Data(contentsOf: outputURL))
        let mask = [UInt8](try Data(contentsOf: maskURL))
        return (output, mask)
    }
}

extension DropoutOptions {
    /// Options from the text fields a reference case carries.
    static func fromCase(
        variant: String, rate: Double, spec: String?, dataFormat: String, seed: UInt64, noScale: Bool, fill: String?
    ) throws -> DropoutOptions {
        DropoutOptions(
            variant: Variant(rawValue: variant)!, rate: rate, noiseSpec: try spec.map { try NoiseSpec(parsing: $0) },
            dataFormat: DataFormat(rawValue: dataFormat)!, seed: seed, scale: !noScale,
            fill: fill.flatMap(FillValue.init(parsing:)))
    }
}
