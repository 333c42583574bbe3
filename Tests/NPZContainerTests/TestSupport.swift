import Foundation
import NPYFormat
import NPYStream
import Testing

@testable import NPZContainer

/// Paths the tests use, computed from this file's location.
enum TestPaths {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = packageRoot.appendingPathComponent("Fixtures/npz")
    static let corpus = packageRoot.appendingPathComponent("Fixtures/third-party")

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }
}

/// A scratch directory removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("npz-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let path = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

func readFile(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Reads a whole source with reads of `chunk` bytes.
func drain(_ source: ByteSource, chunk: Int = 1 << 16) throws -> [UInt8] {
    var all: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: chunk)
    while true {
        let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        if n == 0 { break }
        all += buffer[0..<n]
    }
    return all
}

/// Reads every member of the archive at `path`, returning (name, bytes) in central directory order.
/// Reads it three ways: as npdrop does (deflated members up to the whole-member limit inflated whole
/// by libdeflate, falling back to ISA-L's streaming inflate), and streaming only with each inflater
/// (ISA-L and zlib). Records an issue unless the default read and the ISA-L stream give the same
/// bytes or exactly the same error (message and location), and unless ISA-L and zlib agree: the
/// same bytes, or both refusing with a located `ZipError` (damaged data may be caught at different
/// points, e.g. ISA-L decodes ahead into its own buffer). The default read's result is returned or thrown.
func readAllMembers(
    _ path: String, limits: ZipLimits = .default, chunk: Int = 1 << 16,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> [(String, [UInt8])] {
    func read(_ engine: DeflateEngine, wholeMemberLimit: UInt64) throws -> [(String, [UInt8])] {
        let reader = try ZipArchiveReader(path: path, limits: limits)
        return try reader.entries.map { entry in
            let source = try reader.openMember(entry, inflateEngine: engine, wholeMemberLimit: wholeMemberLimit)
            return (entry.name, try drain(source, chunk: chunk))
        }
    }
    let standard = Result { try read(.isal, wholeMemberLimit: ZipArchiveReader.defaultWholeMemberLimit) }
    let isal = Result { try read(.isal, wholeMemberLimit: 0) }
    let zlib = Result { try read(.zlib, wholeMemberLimit: 0) }
    switch (standard, isal) {
    case (.success(let a), .success(let b)):
        if a.map(\.0) != b.map(\.0) || a.map(\.1) != b.map(\.1) {
            Issue.record("whole-member and streaming inflate read \(path) differently", sourceLocation: sourceLocation)
        }
    case (.failure(let a), .failure(let b)):
        if "\(a)" != "\(b)" {
            Issue.record(
                "whole-member read fails with \(a), the ISA-L stream with \(b)", sourceLocation: sourceLocation)
        }
    case (.success, .failure(let b)):
        Issue.record("whole-member read reads \(path), the ISA-L stream fails: \(b)", sourceLocation: sourceLocation)
    case (.failure(let a), .success):
        Issue.record("the ISA-L stream reads \(path), whole-member read fails: \(a)", sourceLocation: sourceLocation)
    }
    switch (isal, zlib) {
    case (.success(let a), .success(let b)):
        if a.map(\.0) != b.map(\.0) || a.map(\.1) != b.map(\.1) {
            Issue.record("ISA-L and zlib inflate \(path) differently", sourceLocation: sourceLocation)
        }
    case (.failure(let a), .failure(let b)):
        if !isLocatedZipError(a) || !isLocatedZipError(b) {
            Issue.record("ISA-L fails with \(a), zlib with \(b)", sourceLocation: sourceLocation)
        }
    case (.success, .failure(let b)):
        Issue.record("ISA-L reads \(path), zlib fails: \(b)", sourceLocation: sourceLocation)
    case (.failure(let a), .success):
        Issue.record("zlib reads \(path), ISA-L fails: \(a)", sourceLocation: sourceLocation)
    }
    return try standard.get()
}

/// Writes an archive with `members` (name, bytes) using `method`, feeding each member in `chunk`-byte writes.
func writeArchive(
    _ path: String, _ members: [(String, [UInt8])], method: ZipWriteMethod, chunk: Int = 1 << 16,
    comment: [UInt8] = []
) throws {
    let writer = try ZipArchiveWriter(path: path)
    for (name, bytes) in members {
        let sink = try writer.beginMember(name: name, method: method)
        var start = 0
        repeat {
            let end = min(bytes.count, start + max(chunk, 1))
            try bytes[start..<end].withUnsafeBytes { try sink.write($0) }
            start = end
        } while start < bytes.count
        try writer.finishMember()
    }
    try writer.finish(comment: comment)
}

/// Runs `body`, expecting a `ZipError` located in an archive (a `FileError` around it, as the
/// zip layer's entry points throw), and returns the `ZipError`; when `archive` is given, the
/// location must name it. Records an issue if something else happened.
func expectZipError(
    in archive: String? = nil, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) -> ZipError? {
    guard let located = expectLocatedZipError(body, sourceLocation: sourceLocation) else { return nil }
    if let archive, located.path != archive {
        Issue.record("\(located) is located in \(located.path), not \(archive)", sourceLocation: sourceLocation)
    }
    return located.underlying as? ZipError
}

/// Runs `body`, expecting a `ZipError` located in an archive, and returns the whole `FileError`
/// (what the user reads). Records an issue if something else happened.
func expectLocatedZipError(
    _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) -> FileError? {
    do {
        try body()
        Issue.record("expected a ZipError, none was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as FileError where error.underlying is ZipError {
        return error
    } catch {
        Issue.record("expected a ZipError located in an archive, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// True for a `ZipError` located in an archive (a `FileError` around it).
func isLocatedZipError(_ error: any Error) -> Bool {
    (error as? FileError)?.underlying is ZipError
}

/// Deterministic pseudo-random bytes (SplitMix64), compressible when `runs` is true.
func testBytes(count: Int, seed: UInt64, runs: Bool = false) -> [UInt8] {
    var state = seed
    func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    var out = [UInt8]()
    out.reserveCapacity(count)
    while out.count < count {
        let word = next()
        if runs {
            let length = Int(word % 40) + 1
            let value = UInt8(truncatingIfNeeded: word >> 8) & 0x0F
            out += [UInt8](repeating: value, count: min(length, count - out.count))
        } else {
            for k in 0..<8 where out.count < count { out.append(UInt8(truncatingIfNeeded: word >> (8 * UInt64(k)))) }
        }
    }
    return out
}

extension Array where Element == UInt8 {
    /// Little-endian field patching for corrupting test archives.
    mutating func setLE16(_ v: UInt16, at i: Int) {
        self[i] = UInt8(truncatingIfNeeded: v)
        self[i + 1] = UInt8(truncatingIfNeeded: v >> 8)
    }

    mutating func setLE32(_ v: UInt32, at i: Int) {
        for k in 0..<4 { self[i + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
    }

    func readLE16(at i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
    func readLE32(at i: Int) -> UInt32 { UInt32(readLE16(at: i)) | UInt32(readLE16(at: i + 2)) << 16 }

    /// Offsets of every occurrence of a 4-byte little-endian signature.
    func offsets(ofSignature signature: UInt32) -> [Int] {
        guard count >= 4 else { return [] }
        return (0...(count - 4)).filter { readLE32(at: $0) == signature }
    }
}
