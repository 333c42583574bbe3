import DropoutEngine
import DropoutFiles
import Foundation
import NPYFormat
import NPYStream
import Testing

/// Chunk sizes, segment splits and keep strategies change nothing: checked on random shapes
/// against a naive model (draw every noise flag with `nextDouble() >= rate`, then index the
/// noise of each element by its multi-index) and on a larger array end to end.
@Suite struct PipelineChunkingTests {
    /// The keep flag of every storage-order element, computed the slow, obvious way.
    static func naiveKeep(shape: [Int], noiseDims: [Int], fortran: Bool, stream: PCG64, rate: Double) -> [UInt8] {
        var rng = stream
        let noiseCount = noiseDims.reduce(1, *)
        let noise = (0..<noiseCount).map { _ in rng.nextDouble() >= rate ? UInt8(1) : 0 }
        let count = shape.reduce(1, *)
        var flags: [UInt8] = []
        flags.reserveCapacity(count)
        for storageIndex in 0..<count {
            // Storage index -> multi-index (first axis fastest in Fortran order).
            var rest = storageIndex
            var index = [Int](repeating: 0, count: shape.count)
            let axes = fortran ? Array(shape.indices) : Array(shape.indices.reversed())
            for axis in axes {
                index[axis] = rest % shape[axis]
                rest /= shape[axis]
            }
            var noiseIndex = 0
            for axis in shape.indices {
                noiseIndex = noiseIndex * noiseDims[axis] + (noiseDims[axis] == 1 ? 0 : index[axis])
            }
            flags.append(noise[noiseIndex])
        }
        return flags
    }

    static func plan(
        shape: [Int], spec: [Int?], fortran: Bool, rate: Double, seed: UInt64, limit: Int,
        dtype: DType = DType(kind: .float, itemSize: 4, byteOrder: .little)
    ) throws -> ArrayDropoutPlan {
        let header = NPYHeader(version: .v1, dtype: dtype, fortranOrder: fortran, shape: shape, dataOffset: 128)
        let options = DropoutOptions(rate: rate, noiseSpec: NoiseSpec(entries: spec), seed: seed)
        return try ArrayDropoutPlan(
            header: header, key: ArrayKey(string: "naive-\(seed)"), options: options,
            name: "naive.npy", noiseTableLimit: limit)
    }

    @Test func elementFlagsMatchTheNaiveModelForAnyRangeAndStrategy() throws {
        var random = TestRandom(seed: 2024)
        var strategies: Set<KeepStrategy> = []
        for trial in 0..<150 {
            let rank = 1 + random.below(5)
            let shape = (0..<rank).map { _ in 1 + random.below(6) }
            let spec: [Int?] = shape.map { _ in random.below(3) == 0 ? 1 : nil }
            let fortran = random.below(2) == 0
            let rate = [0.5, 0.2, 0.9][trial % 3]
            for limit in [ArrayDropoutPlan.defaultNoiseTableLimit, 0] {
                let plan = try Self.plan(
                    shape: shape, spec: spec, fortran: fortran, rate: rate, seed: UInt64(trial), limit: limit)
                strategies.insert(plan.strategy)
                let expected = Self.naiveKeep(
                    shape: shape, noiseDims: plan.noiseDims, fortran: fortran,
                    stream: plan.stream, rate: rate)
                let n = plan.elementCount
                var flags = [UInt8](repeating: 9, count: n)
                flags.withUnsafeMutableBufferPointer { plan.fillElementKeep(0..<n, into: $0) }
                #expect(flags == expected, "\(shape) \(spec) F=\(fortran) \(plan.strategy)")
                // Random sub-ranges, in random order.
                for _ in 0..<6 {
                    let a = random.below(n + 1)
                    let b = random.below(n + 1)
                    let range = min(a, b)..<max(a, b)
                    var part = [UInt8](repeating: 9, count: range.count)
                    part.withUnsafeMutableBufferPointer { plan.fillElementKeep(range, into: $0) }
                    #expect(part[...] == expected[range], "\(shape) \(spec) F=\(fortran) \(plan.strategy) \(range)")
                }
                // Noise flags are the mask: C order of the noise, one draw each.
                var rng = plan.stream
                let noise = (0..<plan.noiseElementCount).map { _ in rng.nextDouble() >= rate ? UInt8(1) : 0 }
                var mask = [UInt8](repeating: 9, count: noise.count)
                mask.withUnsafeMutableBufferPointer { plan.fillNoiseKeep(0..<noise.count, into: $0) }
                #expect(mask == noise)
            }
        }
        #expect(strategies == [.inStep, .noiseTable, .strided])
    }

    @Test func maskRangesPartitionTheMaskForEverySplit() throws {
        var random = TestRandom(seed: 77)
        let shapes: [([Int], [Int?])] = [
            ([6, 5, 4], [nil, 1, nil]), ([7, 3], [1, nil]), ([0, 3], [1, nil]),
            ([2, 0, 3], [nil, 1, nil]), ([5], [nil]), ([], []), ([4, 4], [1, 1]),
        ]
        for (shape, spec) in shapes {
            let plan = try Self.plan(shape: shape, spec: spec, fortran: false, rate: 0.5, seed: 3, limit: 1 << 20)
            let n = plan.elementCount
            for _ in 0..<20 {
                var cuts = [0, n] + (0..<random.below(6)).map { _ in random.below(n + 1) }
                cuts.sort()
                var covered: [Int] = []
                for i in 0..<(cuts.count - 1) {
                    covered += Array(plan.maskRange(forElements: cuts[i]..<cuts[i + 1]))
                }
                if n == 0 { covered = Array(plan.maskRange(forElements: 0..<0)) }
                #expect(covered == Array(0..<plan.noiseElementCount), "\(shape) \(cuts)")
            }
        }
    }

    /// A 120k-element float32 array through every mode: results and masks equal whatever the
    /// chunking, the split or the strategy.
    @Test func largeArrayOutputIndependentOfChunkingSplitAndStrategy() throws {
        var random = TestRandom(seed: 5)
        let shape = [20, 60, 100]
        let count = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        for i in values.indices { values[i] = Float(Int(random.below(2001)) - 1000) * 0.01 }
        let header = NPYHeaderEncoder.encode(
            dtype: DType(kind: .float, itemSize: 4, byteOrder: .little),
            fortranOrder: true, shape: shape)
        var input = header
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { input += $0 } }
        let folder = try Reference.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for spec in [[nil, nil, nil], [nil, 1, nil], [1, nil, 1]] as [[Int?]] {
            var results: Set<[UInt8]> = []
            var masks: Set<[UInt8]> = []
            for limit in [ArrayDropoutPlan.defaultNoiseTableLimit, 0] {
                let plan = try Self.plan(shape: shape, spec: spec, fortran: true, rate: 0.3, seed: 11, limit: limit)
                for chunk in [nil, 1000, 4093] as [Int?] {
                    let r = try PipelineHarness.runSequential(
                        plan, input: input, chunkElements: chunk, scratchBytes: 1 << 20)
                    results.insert(r.output)
                    masks.insert(r.mask)
                }
                let s = try PipelineHarness.runSegments(plan, input: input, in: folder, segments: 7, random: &random)
                results.insert(s.output)
                masks.insert(s.mask)
            }
            #expect(results.count == 1, "\(spec)")
            #expect(masks.count == 1, "\(spec)")
            // And the flags behind them are the naive model's.
            let plan = try Self.plan(shape: shape, spec: spec, fortran: true, rate: 0.3, seed: 11, limit: 0)
            var rng = plan.stream
            let noise = (0..<plan.noiseElementCount).map { _ in rng.nextDouble() >= 0.3 ? UInt8(1) : 0 }
            #expect(Array(masks.first!.dropFirst(plan.maskHeader.dataOffset)) == noise)
        }
    }
}

/// The mask written on its own (sequential sink or positioned descriptor) equals the mask
/// written alongside the data.
@Test func masksWrittenApartEqualMasksWrittenWithTheData() throws {
    let folder = try Reference.makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let f4 = DType(kind: .float, itemSize: 4, byteOrder: .little)
    for (shape, spec, fortran, rate) in [
        ([6, 7, 5], [nil, 1, nil], false, 0.4), ([6, 7, 5], [nil, nil, nil], true, 0.4),
        ([6, 7], [nil, nil], false, 0.6), ([6, 7], [1, nil], false, 0.0),
        ([0, 4], [1, nil], false, 0.5),
    ] as [([Int], [Int?], Bool, Double)] {
        for limit in [ArrayDropoutPlan.defaultNoiseTableLimit, 0] {
            let plan = try PipelineChunkingTests.plan(
                shape: shape, spec: spec, fortran: fortran, rate: rate, seed: 8, limit: limit)
            var input = NPYHeaderEncoder.encode(dtype: f4, fortranOrder: fortran, shape: shape)
            input += [UInt8](repeating: 0x40, count: plan.elementCount * 4)
            let together = try PipelineHarness.runSequential(plan, input: input, chunkElements: 5).mask
            let sink = PipelineMemorySink()
            try plan.writeMask(to: sink, name: "m.npy", scratch: DropoutScratch(chunkBytes: 16))
            #expect(sink.bytes == together, "\(shape) \(spec) \(plan.strategy)")
            let url = folder.appendingPathComponent("mask-\(UUID().uuidString).npy")
            let descriptor = try FileDescriptor.createExclusive(url.path)
            try plan.writeMask(
                to: FileOutputSink(descriptor: descriptor, name: url.path), scratch: DropoutScratch(chunkBytes: 32))
            try descriptor.close()
            #expect([UInt8](try Data(contentsOf: url)) == together, "\(shape) \(spec) \(plan.strategy) positioned")
        }
    }
}
