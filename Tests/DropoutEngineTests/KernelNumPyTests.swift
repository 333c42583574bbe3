import Foundation
import NPYFormat
import Testing

@testable import DropoutEngine

/// One kernel configuration checked against NumPy computing contract §3.3.
struct KernelCase: CustomStringConvertible {
    var dtype: DType
    var mode: DropoutMode = .standard
    var rate: Double
    var scale: Bool = true
    var fill: FillValue? = nil

    var description: String {
        "\(dtype.descr) \(mode) rate=\(rate)\(scale ? "" : " no-scale")\(fill.map { " fill=\($0)" } ?? "")"
    }

    /// The fill column of the batch file: `none`, `i:<int>` or `f:<float>`.
    var fillColumn: String {
        switch fill?.number {
        case nil: return "none"
        case .signed(let v)?: return "i:\(v)"
        case .unsigned(let v)?: return "i:\(v)"
        case .real(let v)?: return "f:\(v)"
        }
    }
}

/// The contract formulas in NumPy, one line of `cases.txt` per case: `k descr mode rate
/// noscale fill`; reads `k.in`/`k.keep`, writes `k.out` in the input's dtype and byte order.
/// Complex is scaled per part (a view as floats), as the contract says, not by a complex
/// multiply; alpha follows Keras with float16/32/64 arithmetic rounded per operation.
private let kernelReferenceScript = #"""
    import os, sys
    import numpy as np
    d = sys.argv[1]
    AP = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946
    for line in open(os.path.join(d, 'cases.txt')):
        k, descr, mode, rate, noscale, fill = line.split()
        rate = float(rate)
        dt = np.dtype(descr)
        x = np.fromfile(os.path.join(d, k + '.in'), dtype=dt)
        kb = np.fromfile(os.path.join(d, k + '.keep'), dtype=np.uint8) != 0
        assert x.shape == kb.shape
        T = dt.newbyteorder('=').type
        with np.errstate(all='ignore'):
            if rate == 0:
                y = x.copy()
            elif mode == 'alpha':
                a = ((1 - rate) * (1 + rate * AP ** 2)) ** -0.5
                b = -a * AP * rate
                y = T(a) * np.where(kb, x, T(AP)) + T(b)
                assert y.dtype == np.dtype(T)
            else:
                if fill == 'none':
                    fv = T(0)
                elif fill.startswith('i:'):
                    fv = T(int(fill[2:]))
                else:
                    fv = T(float(fill[2:]))
                if rate == 1:
                    y = np.full(x.shape, fv, dtype=dt)
                else:
                    if dt.kind in 'fc' and noscale == '0':
                        if dt.kind == 'c':
                            half = dt.itemsize // 2
                            s = np.dtype('f%d' % half).type(1.0 / (1.0 - rate))
                            parts = x.view(np.dtype(dt.byteorder + 'f%d' % half))
                            scaled = (parts * s).view(np.dtype('c%d' % dt.itemsize))
                        else:
                            s = T(1.0 / (1.0 - rate))
                            scaled = x * s
                        assert scaled.dtype == np.dtype(T)
                    else:
                        scaled = x
                    y = np.where(kb, scaled, fv)
        y.astype(dt).tofile(os.path.join(d, k + '.out'))
    """#

@Suite(.enabled(if: KernelNumPy.isAvailable, "needs python3 with NumPy"))
struct KernelNumPyTests {
    /// Fill values that exercise each kind: exact, inexact in T, negative, extreme integers.
    static func fills(for dtype: DType) -> [FillValue] {
        switch dtype.kind {
        case .bool: return [.signed(1)]
        case .signedInteger: return [.signed(-3), dtype.itemSize == 8 ? .signed(Int64.min) : .signed(100)]
        case .unsignedInteger: return [.signed(7), dtype.itemSize == 8 ? .unsigned(UInt64.max) : .real(200)]
        case .float, .complex: return [.real(2.5), .real(-0.1), .signed(-7), .real(.infinity)]
        }
    }

    static var cases: [KernelCase] {
        var cases: [KernelCase] = []
        for dtype in KernelDTypes.all {
            for rate in [0, 1, 0.3, 0.5, 0.0001, 0.9, 0.999] {
                cases.append(KernelCase(dtype: dtype, rate: rate))
            }
            cases.append(KernelCase(dtype: dtype, rate: 0.3, scale: false))
            cases.append(KernelCase(dtype: dtype, rate: 1, scale: false))
            for fill in fills(for: dtype) {
                cases.append(KernelCase(dtype: dtype, rate: 0.3, fill: fill))
                cases.append(KernelCase(dtype: dtype, rate: 1, fill: fill))
                cases.append(KernelCase(dtype: dtype, rate: 0.7, scale: false, fill: fill))
            }
        }
        for dtype in KernelDTypes.realFloats {
            for rate in [0, 0.1, 0.3, 0.5, 0.95, 1e-6] {
                cases.append(KernelCase(dtype: dtype, mode: .alpha, rate: rate))
            }
        }
        return cases
    }

    /// Applies `kernel` to `data` placed at byte `offset` of a larger buffer, in chunks split at
    /// the given element boundaries, and returns the transformed bytes.
    static func run(_ kernel: DropoutKernel, data: [UInt8], keep: [UInt8], offset: Int, cuts: [Int]) -> [UInt8] {
        let itemSize = kernel.dtype.itemSize
        var buffer = [UInt8](repeating: 0xA5, count: data.count + offset + 5)
        buffer.replaceSubrange(offset..<offset + data.count, with: data)
        buffer.withUnsafeMutableBytes { raw in
            keep.withUnsafeBufferPointer { flags in
                let bounds = [0] + cuts + [keep.count]
                for (start, end) in zip(bounds, bounds.dropFirst()) {
                    let bytes = UnsafeMutableRawBufferPointer(
                        rebasing: raw[(offset + start * itemSize)..<(offset + end * itemSize)])
                    kernel.apply(bytes, keep: UnsafeBufferPointer(rebasing: flags[start..<end]))
                }
            }
        }
        // Bytes outside the chunk are never touched.
        #expect(
            buffer[..<offset].allSatisfy { $0 == 0xA5 } && buffer[(offset + data.count)...].allSatisfy { $0 == 0xA5 })
        return Array(buffer[offset..<offset + data.count])
    }

    @Test func everyDTypeAndOptionMatchesNumPyBitForBit() throws {
        let folder = try KernelNumPy.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases = Self.cases
        var lines: [String] = []
        var results: [(whole: [UInt8], chunked: [UInt8], input: [UInt8])] = []
        var random = KernelSplitMix(seed: 0x5EED)
        for (k, c) in cases.enumerated() {
            let kernel = try DropoutKernel(dtype: c.dtype, mode: c.mode, rate: c.rate, scale: c.scale, fill: c.fill)
            let count = 150 + random.below(120)
            let (data, keep) = KernelSamples.make(c.dtype, count: count, seed: UInt64(k) &+ 17)
            let whole = Self.run(kernel, data: data, keep: keep, offset: 1, cuts: [])
            let cuts = Array(Set((0..<4).map { _ in random.below(keep.count + 1) })).sorted()
            let chunked = Self.run(kernel, data: data, keep: keep, offset: 3, cuts: cuts)
            results.append((whole, chunked, data))
            try Data(data).write(to: folder.appendingPathComponent("\(k).in"))
            try Data(keep).write(to: folder.appendingPathComponent("\(k).keep"))
            lines.append(
                "\(k) \(c.dtype.descr) \(c.mode == .alpha ? "alpha" : "standard") \(c.rate) \(c.scale ? 0 : 1) \(c.fillColumn)"
            )
        }
        try (lines.joined(separator: "\n") + "\n").write(
            to: folder.appendingPathComponent("cases.txt"), atomically: true, encoding: .utf8)
        try KernelNumPy.run(kernelReferenceScript, in: folder)

        var changedCases = 0
        for (k, c) in cases.enumerated() {
            let expected = [UInt8](try Data(contentsOf: folder.appendingPathComponent("\(k).out")))
            let (whole, chunked, input) = results[k]
            if expected != input { changedCases += 1 }
            for (label, got) in [("whole", whole), ("chunked", chunked)] where got != expected {
                let size = c.dtype.itemSize
                let first = (0..<expected.count).first { got.count <= $0 || got[$0] != expected[$0] } ?? 0
                let element = first / size
                let range = (element * size)..<min((element + 1) * size, expected.count)
                Issue.record(
                    "\(c) [\(label)]: element \(element) input \(hex(input[range])) expected \(hex(expected[range])) got \(hex(got.count >= range.upperBound ? Array(got[range]) : []))"
                )
            }
        }
        // The reference really transforms data (a kernel that did nothing would fail above).
        #expect(changedCases > cases.count / 2)
    }

    private func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
