import Foundation
import NPDropTestSupport
import NPYFormat
import Testing

/// Runs Python + NumPy for the kernel and broadcast tests: batch files in a temporary folder,
/// one `python3` process per batch. Tests are skipped only when python3 is missing.
enum KernelNumPy {
    /// True when python3 is on PATH (or `NPDROP_LIVE_NUMPY=1` makes the live tests mandatory).
    static var isAvailable: Bool { LivePython.isAvailable }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A fresh temporary folder; the caller removes it.
    static func makeFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("npdrop-kernels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs `script` with `python3 script.py folder` (written to a file in `folder`); throws
    /// with python's stderr when it exits non-zero.
    static func run(_ script: String, in folder: URL) throws {
        let scriptURL = folder.appendingPathComponent("script.py")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        let result = try LivePython.launch([scriptURL.path, folder.path])
        guard result.status == 0 else {
            throw Failure(description: "python3 exited with \(result.status): \(result.stderr)")
        }
    }
}

/// SplitMix64: deterministic test inputs.
struct KernelSplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}

/// The dtypes the kernels support, each byte order that applies.
enum KernelDTypes {
    static let codes: [(ScalarKind, Int)] = [
        (.bool, 1), (.signedInteger, 1), (.signedInteger, 2), (.signedInteger, 4), (.signedInteger, 8),
        (.unsignedInteger, 1), (.unsignedInteger, 2), (.unsignedInteger, 4), (.unsignedInteger, 8),
        (.float, 2), (.float, 4), (.float, 8), (.complex, 8), (.complex, 16),
    ]

    /// Every supported dtype in both byte orders (one-byte types once).
    static var all: [DType] {
        codes.flatMap { kind, size -> [DType] in
            size == 1
                ? [DType(kind: kind, itemSize: size, byteOrder: .notApplicable)]
                : [
                    DType(kind: kind, itemSize: size, byteOrder: .little),
                    DType(kind: kind, itemSize: size, byteOrder: .big),
                ]
        }
    }

    static var realFloats: [DType] {
        [2, 4, 8].flatMap { size in
            [
                DType(kind: .float, itemSize: size, byteOrder: .little),
                DType(kind: .float, itemSize: size, byteOrder: .big),
            ]
        }
    }
}

/// Test data for a dtype: special values (each once kept, once dropped) then random bit patterns.
enum KernelSamples {
    /// Host-order bit patterns (as UInt64) of the interesting values of a real float part.
    static func specialFloatBits(laneBytes: Int) -> [UInt64] {
        switch laneBytes {
        case 2: return specials(Float16.self).map { UInt64($0.bitPattern) } + [0x7C01, 0xFC01, 0x7E55, 0xFE00, 0x7FFF]
        case 4:
            return specials(Float.self).map { UInt64($0.bitPattern) } + [
                0x7F80_0001, 0xFF80_0001, 0x7FC1_2345, 0xFFC0_0000, 0x7FFF_FFFF,
            ]
        default:
            return specials(Double.self).map { $0.bitPattern } + [
                0x7FF0_0000_0000_0001, 0xFFF0_0000_0000_0001, 0x7FF8_1234_5678_9ABC, 0xFFF8_0000_0000_0000,
            ]
        }
    }

    private static func specials<F: BinaryFloatingPoint>(_: F.Type) -> [F] {
        [
            0, -0.0, 1, -1, 0.1, -2.5, 3, .infinity, -.infinity, .nan, -.nan, .signalingNaN,
            .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, -.leastNormalMagnitude,
            F.leastNormalMagnitude.nextDown, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            F.greatestFiniteMagnitude / 1.5, F.greatestFiniteMagnitude / 3, .ulpOfOne, 1 + .ulpOfOne, 65504, -0.3333,
        ]
    }

    /// Host-order lane values for integers of `bytes` bytes.
    static func specialIntegerBits(bytes: Int, signed: Bool) -> [UInt64] {
        let mask: UInt64 = bytes == 8 ? ~0 : (1 << UInt64(bytes * 8)) - 1
        let top: UInt64 = 1 << UInt64(bytes * 8 - 1)
        return [0, 1, mask, top, top - 1, 2, 0x7F & mask, signed ? (mask ^ 1) : 3].map { $0 & mask }
    }

    /// `count` elements of `dtype` as file bytes, and keep flags: specials twice (kept, then
    /// dropped), the rest random bits with about 70% kept. Bool data is 0/1 only.
    static func make(_ dtype: DType, count: Int, seed: UInt64) -> (data: [UInt8], keep: [UInt8]) {
        var random = KernelSplitMix(seed: seed)
        let laneBytes = dtype.kind == .complex ? dtype.itemSize / 2 : dtype.itemSize
        let lanes = dtype.kind == .complex ? 2 : 1
        let specials: [UInt64]
        switch dtype.kind {
        case .bool: specials = [0, 1]
        case .signedInteger: specials = specialIntegerBits(bytes: laneBytes, signed: true)
        case .unsignedInteger: specials = specialIntegerBits(bytes: laneBytes, signed: false)
        case .float, .complex: specials = specialFloatBits(laneBytes: laneBytes)
        }
        // Lane values in host order: specials kept then dropped; complex pairs specials with
        // a rotated partner so every special meets another as imaginary part.
        var laneValues: [UInt64] = []
        var keep: [UInt8] = []
        for pass in 0..<2 {
            for (i, value) in specials.enumerated() {
                laneValues.append(value)
                if lanes == 2 { laneValues.append(specials[(i + 3) % specials.count]) }
                keep.append(pass == 0 ? 1 : 0)
            }
        }
        while keep.count < count {
            for _ in 0..<lanes {
                laneValues.append(dtype.kind == .bool ? random.next() & 1 : random.next())
            }
            keep.append(random.below(10) < 7 ? 1 : 0)
        }
        var data: [UInt8] = []
        for value in laneValues {
            data += laneBytesOf(value, laneBytes: laneBytes, order: dtype.byteOrder)
        }
        return (data, keep)
    }

    /// The `laneBytes` low bytes of `value` in `order` (little for one-byte lanes).
    static func laneBytesOf(_ value: UInt64, laneBytes: Int, order: ByteOrder) -> [UInt8] {
        let little = (0..<laneBytes).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) }
        return order == .big ? little.reversed() : little
    }
}
