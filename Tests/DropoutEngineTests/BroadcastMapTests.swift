import Foundation
import Testing

@testable import DropoutEngine

/// Naive reference: the noise index of each storage-order element, by unravelling the element
/// index (C: last axis fastest; Fortran: first axis fastest) and dropping broadcast axes.
func broadcastReferenceIndices(shape: [Int], noiseDims: [Int], fortranOrder: Bool) -> [Int] {
    let count = shape.reduce(1, *)
    var noiseStrides = [Int](repeating: 0, count: shape.count)
    var step = 1
    for axis in shape.indices.reversed() {
        noiseStrides[axis] = step
        step *= noiseDims[axis]
    }
    let axes: [Int] = fortranOrder ? Array(shape.indices) : shape.indices.reversed()
    return (0..<count).map { element in
        var rest = element
        var noiseIndex = 0
        for axis in axes {
            let i = rest % shape[axis]
            rest /= shape[axis]
            if noiseDims[axis] != 1 { noiseIndex += i * noiseStrides[axis] }
        }
        return noiseIndex
    }
}

/// Runs `fillKeep` over `elements`, in chunks split at `cuts` (absolute element indices).
func broadcastFill(_ map: BroadcastMap, noise: [UInt8], elements: Range<Int>, cuts: [Int] = []) -> [UInt8] {
    var out = [UInt8](repeating: 0xEE, count: elements.count + 2)
    let bounds = [elements.lowerBound] + cuts.filter { elements.contains($0) }.sorted() + [elements.upperBound]
    noise.withUnsafeBufferPointer { noise in
        out.withUnsafeMutableBufferPointer { out in
            for (start, end) in zip(bounds, bounds.dropFirst()) {
                let slice = UnsafeMutableBufferPointer(rebasing: out[(start - elements.lowerBound)...])
                map.fillKeep(elements: start..<end, noiseKeep: noise, into: slice)
            }
        }
    }
    #expect(out.suffix(2) == [0xEE, 0xEE], "wrote past the element range")
    return Array(out.prefix(elements.count))
}

/// Nil when equal, else where the first difference is (keeps failure messages short).
func broadcastFirstDifference(_ got: [UInt8], _ expected: [UInt8]) -> String? {
    if got == expected { return nil }
    guard got.count == expected.count else { return "count \(got.count), expected \(expected.count)" }
    let i = got.indices.first { got[$0] != expected[$0] } ?? 0
    return "element \(i): \(got[i]), expected \(expected[i])"
}

/// A random array shape (rank 0...maxRank, dims 0...4 with 0 rare) and noise dims for it.
func broadcastRandomCase(
    _ random: inout KernelSplitMix, maxRank: Int = 5
) -> (shape: [Int], noise: [Int], fortran: Bool) {
    let rank = random.below(maxRank + 1)
    let shape = (0..<rank).map { _ in random.below(25) == 0 ? 0 : 1 + random.below(4) }
    let noise = shape.map { random.below(2) == 0 ? 1 : $0 }
    return (shape, noise, random.below(2) == 0)
}

@Test func broadcastMatchesNaiveReferenceForRandomShapesRangesAndChunks() throws {
    var random = KernelSplitMix(seed: 42)
    var identities = 0
    for trial in 0..<600 {
        let (shape, noiseDims, fortran) = broadcastRandomCase(&random)
        let map = try BroadcastMap(shape: shape, noiseDims: noiseDims, fortranOrder: fortran)
        let label = "trial \(trial) shape \(shape) noise \(noiseDims) \(fortran ? "F" : "C")"
        let indices = broadcastReferenceIndices(shape: shape, noiseDims: noiseDims, fortranOrder: fortran)
        #expect(map.elementCount == indices.count, "\(label)")
        #expect(map.noiseElementCount == noiseDims.reduce(1, *), "\(label)")
        let noise = random.bytes(map.noiseElementCount)
        let expected = indices.map { noise[$0] }

        let whole = broadcastFirstDifference(broadcastFill(map, noise: noise, elements: 0..<map.elementCount), expected)
        #expect(whole == nil, "\(label) whole")
        let isIdentityMapping = indices.elementsEqual(0..<indices.count) && map.noiseElementCount == map.elementCount
        #expect(map.isIdentity == (isIdentityMapping || map.elementCount == 0), "\(label) isIdentity")
        if map.isIdentity { identities += 1 }
        guard map.elementCount > 0 else { continue }
        for _ in 0..<3 {
            let a = random.below(map.elementCount + 1), b = random.below(map.elementCount + 1)
            let range = min(a, b)..<max(a, b)
            let cuts = (0..<random.below(6)).map { _ in range.lowerBound + random.below(range.count + 1) }
            let difference = broadcastFirstDifference(
                broadcastFill(map, noise: noise, elements: range, cuts: cuts), Array(expected[range]))
            #expect(difference == nil, "\(label) range \(range) cuts \(cuts)")
        }
        // One element at a time equals one call.
        let singles = (0..<map.elementCount).flatMap { broadcastFill(map, noise: noise, elements: $0..<($0 + 1)) }
        #expect(broadcastFirstDifference(singles, expected) == nil, "\(label) element by element")
    }
    #expect(identities > 20)
}

@Test func broadcastHandlesZeroDimensionalEmptyAndRank64Arrays() throws {
    let scalar = try BroadcastMap(shape: [], noiseDims: [], fortranOrder: false)
    #expect(scalar.elementCount == 1 && scalar.noiseElementCount == 1 && scalar.isIdentity)
    #expect(broadcastFill(scalar, noise: [7], elements: 0..<1) == [7])

    let empty = try BroadcastMap(shape: [0, 3], noiseDims: [1, 3], fortranOrder: true)
    #expect(empty.elementCount == 0 && empty.noiseElementCount == 3 && empty.isIdentity)
    #expect(broadcastFill(empty, noise: [1, 0, 1], elements: 0..<0) == [])

    var random = KernelSplitMix(seed: 64)
    for fortran in [false, true] {
        var shape = [Int](repeating: 1, count: 64)
        for axis in stride(from: 1, to: 64, by: 6) { shape[axis] = 2 }  // 11 axes of 2: 2048 elements
        let noiseDims = shape.enumerated().map { $0.offset % 12 == 1 ? 1 : $0.element }
        let map = try BroadcastMap(shape: shape, noiseDims: noiseDims, fortranOrder: fortran)
        let noise = random.bytes(map.noiseElementCount)
        let expected = broadcastReferenceIndices(shape: shape, noiseDims: noiseDims, fortranOrder: fortran).map {
            noise[$0]
        }
        let got = broadcastFill(map, noise: noise, elements: 0..<map.elementCount, cuts: [5, 700, 701, 2000])
        #expect(broadcastFirstDifference(got, expected) == nil, "rank 64 \(fortran ? "F" : "C")")
    }
}

@Test func broadcastIdentityCases() throws {
    #expect(try BroadcastMap(shape: [4, 5, 6], noiseDims: [4, 5, 6], fortranOrder: false).isIdentity)
    #expect(try !BroadcastMap(shape: [4, 5, 6], noiseDims: [4, 5, 6], fortranOrder: true).isIdentity)
    #expect(try BroadcastMap(shape: [1, 5, 1], noiseDims: [1, 5, 1], fortranOrder: true).isIdentity)
    #expect(try !BroadcastMap(shape: [4, 5, 6], noiseDims: [4, 1, 6], fortranOrder: false).isIdentity)
    #expect(try !BroadcastMap(shape: [4], noiseDims: [1], fortranOrder: false).isIdentity)
    #expect(try BroadcastMap(shape: [4, 1], noiseDims: [4, 1], fortranOrder: true).isIdentity)
}

@Test func broadcastRefusesNoiseDimsThatDoNotFit() {
    func error(_ shape: [Int], _ noise: [Int]) -> DropoutKernelError? {
        do {
            _ = try BroadcastMap(shape: shape, noiseDims: noise, fortranOrder: false)
            return nil
        } catch {
            return error
        }
    }
    #expect(error([2, 3], [2]) == .noiseRankMismatch(shape: [2, 3], noiseDims: [2]))
    #expect(error([2, 3], [2, 2]) == .noiseDimMismatch(shape: [2, 3], noiseDims: [2, 2], axis: 1))
    #expect(error([2, -3], [2, -3]) == .invalidShape([2, -3]))
    #expect(error([Int.max, 2], [1, 2]) == .invalidShape([Int.max, 2]))
    #expect(error([0, 3], [0, 1]) == nil)
    #expect(
        DropoutKernelError.noiseDimMismatch(shape: [2, 3], noiseDims: [2, 2], axis: 1).description
            == "noise shape (2, 2) has 2 on axis 1, expected 1 or 3 for array shape (2, 3)")
    #expect(
        DropoutKernelError.noiseRankMismatch(shape: [5], noiseDims: []).description
            == "noise shape () has rank 0, expected rank 1 of array shape (5,)")
}

@Test func keepMaskBytesAreTheNoiseFlagsAsBools() throws {
    let map = try BroadcastMap(shape: [2, 3, 4], noiseDims: [2, 1, 4], fortranOrder: true)
    #expect(KeepMask.shape(of: map) == [2, 1, 4])
    #expect(KeepMask.dtype.descr == "|b1")
    #expect(KeepMask.fortranOrder == false)
    let flags: [UInt8] = [1, 0, 0, 1, 1, 1, 0, 2]
    var out = [UInt8](repeating: 9, count: 8)
    flags.withUnsafeBufferPointer { flags in out.withUnsafeMutableBytes { KeepMask.writeMaskBytes(flags, into: $0) } }
    #expect(out == [1, 0, 0, 1, 1, 1, 0, 1])
}

/// `np.broadcast_to(noise.reshape(noise_dims), shape)` flattened in C or F order, written as bytes.
private let broadcastReferenceScript = #"""
    import os, sys
    import numpy as np
    d = sys.argv[1]
    for line in open(os.path.join(d, 'cases.txt')):
        k, order, shape, noise = line.split()
        shape = tuple(int(v) for v in shape.split(',') if v)
        noise_dims = tuple(int(v) for v in noise.split(',') if v)
        flags = np.fromfile(os.path.join(d, k + '.noise'), dtype=np.uint8).reshape(noise_dims)
        out = np.broadcast_to(flags, shape).flatten(order=order)
        out.tofile(os.path.join(d, k + '.out'))
    """#

@Test(.enabled(if: KernelNumPy.isAvailable, "needs python3 with NumPy"))
func broadcastMatchesNumPyBroadcastTo() throws {
    var cases: [(shape: [Int], noise: [Int], fortran: Bool)] = [
        ([4, 7, 3], [4, 1, 3], false), ([4, 7, 3], [4, 1, 3], true),  // spatial1d
        ([2, 3, 5, 5], [2, 3, 1, 1], false), ([2, 3, 5, 5], [2, 3, 1, 1], true),  // spatial2d channels_first
        ([2, 4, 3, 2, 3], [2, 1, 1, 1, 3], true), ([3, 4, 5], [3, 4, 5], true),
        ([3, 1, 5], [1, 1, 5], false), ([], [], false), ([6], [1], true),
        ([Int](repeating: 1, count: 60) + [2, 3, 2, 2], [Int](repeating: 1, count: 60) + [2, 1, 1, 2], true),
    ]
    var random = KernelSplitMix(seed: 9)
    for _ in 0..<20 { cases.append(broadcastRandomCase(&random)) }

    let folder = try KernelNumPy.makeFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    var lines: [String] = []
    var results: [[UInt8]] = []
    for (k, c) in cases.enumerated() {
        let map = try BroadcastMap(shape: c.shape, noiseDims: c.noise, fortranOrder: c.fortran)
        let noise = random.bytes(map.noiseElementCount)
        try Data(noise).write(to: folder.appendingPathComponent("\(k).noise"))
        results.append(
            broadcastFill(map, noise: noise, elements: 0..<map.elementCount, cuts: [1, map.elementCount / 3]))
        let dims = { (d: [Int]) in d.isEmpty ? "," : d.map(String.init).joined(separator: ",") }
        lines.append("\(k) \(c.fortran ? "F" : "C") \(dims(c.shape)) \(dims(c.noise))")
    }
    try (lines.joined(separator: "\n") + "\n").write(
        to: folder.appendingPathComponent("cases.txt"), atomically: true, encoding: .utf8)
    try KernelNumPy.run(broadcastReferenceScript, in: folder)
    for (k, c) in cases.enumerated() {
        let expected = [UInt8](try Data(contentsOf: folder.appendingPathComponent("\(k).out")))
        #expect(
            broadcastFirstDifference(results[k], expected) == nil,
            "shape \(c.shape) noise \(c.noise) \(c.fortran ? "F" : "C")")
    }
}

@Test func broadcastRunsReproduceTheReferenceMapping() throws {
    var random = KernelSplitMix(seed: 77)
    for trial in 0..<400 {
        let (shape, noiseDims, fortran) = broadcastRandomCase(&random)
        let map = try BroadcastMap(shape: shape, noiseDims: noiseDims, fortranOrder: fortran)
        let indices = broadcastReferenceIndices(shape: shape, noiseDims: noiseDims, fortranOrder: fortran)
        let a = random.below(map.elementCount + 1), b = random.below(map.elementCount + 1)
        let range = min(a, b)..<max(a, b)
        var mapped: [Int] = []
        var runs = 0
        map.forEachRun(elements: range) { run in
            #expect(run.elementOffset == mapped.count && run.count > 0)
            for j in 0..<run.count { mapped.append(run.noiseStart + j * run.noiseStride) }
            runs += 1
        }
        #expect(
            mapped == Array(indices[range]),
            "trial \(trial) shape \(shape) noise \(noiseDims) \(fortran ? "F" : "C") range \(range)")
        // Identity maps are one run per call.
        if map.isIdentity && !range.isEmpty { #expect(runs == 1) }
    }
    // Spatial1d in C order: one run per row of channels, stride 1.
    let spatial = try BroadcastMap(shape: [2, 3, 4], noiseDims: [2, 1, 4], fortranOrder: false)
    var runs: [BroadcastRun] = []
    spatial.forEachRun(elements: 2..<13) { runs.append($0) }
    #expect(
        runs == [
            BroadcastRun(elementOffset: 0, count: 2, noiseStart: 2, noiseStride: 1),
            BroadcastRun(elementOffset: 2, count: 4, noiseStart: 0, noiseStride: 1),
            BroadcastRun(elementOffset: 6, count: 4, noiseStart: 0, noiseStride: 1),
            BroadcastRun(elementOffset: 10, count: 1, noiseStart: 4, noiseStride: 1),
        ])
}
