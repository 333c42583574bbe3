import Foundation
import NPDropTestSupport

/// A temporary directory removed when the test is done with it.
final class ScratchDirectory {
    let url: URL

    init(_ label: String = "run") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("npdrop-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { ScratchTree.remove(url.path) }

    /// The path of `relative` below the directory.
    func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }

    /// Writes `data` to `relative`, creating directories.
    func write(_ data: Data, to relative: String) throws {
        let target = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: target)
    }
}

/// `.npy` bytes built from the format rules (version 1.0, header padded to 64 bytes), so the
/// run tests do not need NumPy to make their inputs.
enum NPYBytes {
    /// A file with `descr`, `shape`, memory order and the raw data bytes given.
    static func file(descr: String, shape: [Int], fortran: Bool = false, data: Data) -> Data {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        let text = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(dims), }"
        let padding = 63 - (10 + text.utf8.count) % 64
        let headerLength = text.utf8.count + padding + 1
        var bytes =
            Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0, UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)])
        bytes += Data(text.utf8) + Data(repeating: 0x20, count: padding) + Data([0x0A])
        return bytes + data
    }

    /// Deterministic finite little-endian float32 values in [-4, 4), from `seed`.
    static func float32(count: Int, seed: UInt64) -> Data {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
        var result = [UInt8](repeating: 0, count: count * 4)
        result.withUnsafeMutableBytes { raw in
            for i in 0..<count {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let value = Float(Int32(truncatingIfNeeded: state >> 33) % 4096) / 512
                raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
            }
        }
        return Data(result)
    }

    /// Deterministic bytes (any value), from `seed`: for integer dtypes.
    static func bytes(count: Int, seed: UInt64) -> Data {
        var state = seed | 1
        var result = [UInt8](repeating: 0, count: count)
        result.withUnsafeMutableBufferPointer { bytes in
            for i in 0..<count {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                bytes[i] = UInt8(truncatingIfNeeded: state)
            }
        }
        return Data(result)
    }

    /// The expected total size of a `.npy` file from its header (nil if the header cannot be
    /// read): header length plus element count times item size. Enough for the dtypes npdrop writes.
    static func expectedSize(of file: Data) -> Int? {
        guard file.count >= 10, file.prefix(6) == Data([0x93]) + Data("NUMPY".utf8) else { return nil }
        let major = file[file.startIndex + 6]
        let lengthBytes = major == 1 ? 2 : 4
        guard file.count >= 8 + lengthBytes else { return nil }
        var length = 0
        for i in 0..<lengthBytes { length |= Int(file[file.startIndex + 8 + i]) << (8 * i) }
        let start = 8 + lengthBytes
        guard file.count >= start + length,
            let text = String(
                data: file.subdata(in: file.startIndex + start..<file.startIndex + start + length), encoding: .utf8),
            let descrRange = text.range(of: #"'descr': '[<>|=]?[a-z]+(\d+)'"#, options: .regularExpression),
            let shapeStart = text.range(of: "'shape': ("),
            let shapeEnd = text[shapeStart.upperBound...].firstIndex(of: ")")
        else { return nil }
        let descr = String(text[descrRange])
        guard let itemSize = Int(descr.filter(\.isNumber)) else { return nil }
        let dims = text[shapeStart.upperBound..<shapeEnd].split(separator: ",").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        return start + length + dims.reduce(1, *) * itemSize
    }
}

/// Input trees for the run tests.
enum RunDatasets {
    static let npzFixtures = CLIRunner.packageRoot.appendingPathComponent("Fixtures/npz")

    /// A mixed dataset under `root`: every 7th `.npy` fixture, the np.savez / savez_compressed
    /// fixtures, and generated files in subdirectories (a 256 KiB float32 C-order file, a
    /// Fortran-order int16 file, a float32 image batch) — a few dozen files in all.
    static func mixed(at root: ScratchDirectory) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: CLIRunner.fixtures.path).filter {
            $0.hasSuffix(".npy")
        }.sorted()
        for (index, name) in names.enumerated() where index % 7 == 0 {
            try root.write(Data(contentsOf: CLIRunner.fixtures.appendingPathComponent(name)), to: "fixtures/\(name)")
        }
        for name in ["savez_stored.npz", "savez_compressed.npz", "positional.npz", "names.npz"] {
            try root.write(Data(contentsOf: npzFixtures.appendingPathComponent(name)), to: "npz/\(name)")
        }
        try root.write(
            NPYBytes.file(descr: "<f4", shape: [4, 128, 128], data: NPYBytes.float32(count: 65536, seed: 1)),
            to: "gen/big_f4.npy")
        try root.write(
            NPYBytes.file(
                descr: "<i2", shape: [33, 17, 5], fortran: true, data: NPYBytes.bytes(count: 33 * 17 * 5 * 2, seed: 2)),
            to: "gen/deep/fortran_i2.npy")
        try root.write(
            NPYBytes.file(
                descr: ">f4", shape: [6, 9, 11, 3], data: NPYBytes.bytes(count: 6 * 9 * 11 * 3 * 4, seed: 3)),
            to: "gen/images.npy")
    }
}

/// Every regular file below a directory, by relative path.
enum FileTree {
    /// Relative path → bytes of every regular file below `root` (recursively).
    static func contents(of root: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root) else { return result }
        while let relative = walker.nextObject() as? String {
            let path = root + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return result
    }

    /// Names below `root` that are npdrop temporaries.
    static func temporaries(under root: String) -> [String] {
        (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
            .filter { ($0 as NSString).lastPathComponent.hasPrefix(".npdrop-tmp-") }
    }

    /// The paths where two trees differ (missing on one side, or different bytes), sorted.
    static func differences(_ a: [String: Data], _ b: [String: Data]) -> [String] {
        Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
    }
}

/// JSON Lines of a manifest, parsed.
enum ManifestLines {
    static func records(at path: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }
}
