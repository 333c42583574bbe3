import Foundation
import NPYFormat
import Testing

@testable import NPZContainer

/// Deflated members up to the whole-member limit are inflated in one libdeflate call: the same
/// bytes and CRC-32 as the streaming inflaters, and on anything wrong exactly the streaming error.
@Suite struct WholeMemberInflateTests {
    /// How one member reads: its bytes or the error's full text, and whether it was inflated whole.
    struct Outcome: Equatable {
        var bytes: [UInt8]?
        var error: String?
        var bytesRead: UInt64
        var inflatedWhole: Bool
    }

    static func read(
        _ path: String, engine: DeflateEngine = .isal, limit: UInt64, chunk: Int = 1 << 16,
        limits: ZipLimits = .default
    ) throws -> Outcome {
        let reader = try ZipArchiveReader(path: path, limits: limits)
        let source = try reader.openMember(reader.entries[0], inflateEngine: engine, wholeMemberLimit: limit)
        do {
            let bytes = try drain(source, chunk: chunk)
            return Outcome(bytes: bytes, bytesRead: source.bytesRead, inflatedWhole: source.inflatedWhole)
        } catch {
            return Outcome(error: "\(error)", bytesRead: source.bytesRead, inflatedWhole: source.inflatedWhole)
        }
    }

    /// Sizes around a small limit (so "just under" and "just over" are cheap), stored and deflated:
    /// under the limit a deflated member is inflated whole, with the streaming inflaters' bytes.
    @Test func wholeMemberBytesEqualTheStreamingInflaters() throws {
        let limit: UInt64 = 100_000
        let dir = try TemporaryDirectory()
        for size in [0, 1, 2, 7, 4_097, 65_537, 99_999, 100_000, 100_001, 250_001] {
            for (seed, runs) in [(UInt64(size), true), (UInt64(size) + 1, false)] {
                let content = testBytes(count: size, seed: seed, runs: runs)
                for deflate in [false, true] {
                    let member = RawZipMember.of("m.npy", content, deflate: deflate)
                    let path = try dir.write(buildZip([member]), to: "m.npz")
                    let eligible = deflate && member.compressedSize <= limit && member.uncompressedSize <= limit
                    for chunk in [1_000, 1 << 16, 1 << 20] where size < 100 || chunk != 1 {
                        let whole = try Self.read(path, limit: limit, chunk: chunk)
                        let label = "size \(size) runs \(runs) deflate \(deflate) chunk \(chunk)"
                        #expect(whole.inflatedWhole == eligible, "\(label)")
                        #expect(whole.bytes == content, "\(label): \(whole.error ?? "")")
                        #expect(whole.bytesRead == UInt64(size), "\(label)")
                        for engine in DeflateEngine.allCases {
                            var streamed = try Self.read(path, engine: engine, limit: 0, chunk: chunk)
                            #expect(!streamed.inflatedWhole)
                            streamed.inflatedWhole = whole.inflatedWhole
                            #expect(streamed == whole, "\(label) \(engine)")
                        }
                    }
                    if deflate { #expect(crc32(content) == member.crc) }
                }
            }
        }
    }

    /// The default limit (16 MiB) as written in README and docs/npz.md: a member of exactly 16 MiB
    /// is read whole, one byte more is streamed.
    @Test func defaultLimitIsSixteenMiB() throws {
        #expect(ZipArchiveReader.defaultWholeMemberLimit == 16 << 20)
        let dir = try TemporaryDirectory()
        for size in [16 << 20, (16 << 20) + 1] {
            var content = [UInt8](repeating: 3, count: size)
            for i in stride(from: 0, to: size, by: 4_099) { content[i] = UInt8(truncatingIfNeeded: i >> 12) }
            let path = try dir.write(buildZip([RawZipMember.of("big.npy", content, deflate: true)]), to: "b.npz")
            let whole = try Self.read(path, limit: ZipArchiveReader.defaultWholeMemberLimit, chunk: 1 << 20)
            #expect(whole.inflatedWhole == (size == 16 << 20), "size \(size)")
            #expect(whole.bytes == content, "size \(size)")
            // The reader's default is that limit.
            let reader = try ZipArchiveReader(path: path)
            let source = try reader.openMember(reader.entries[0])
            #expect(try drain(source, chunk: 1 << 20) == content)
            #expect(source.inflatedWhole == (size == 16 << 20))
        }
    }

    /// Damaged members under the limit: libdeflate is tried and gives up, and the streaming
    /// inflater then reports exactly what it reports alone (message, member, archive, bytes
    /// read before the error), for both streaming engines and several read sizes.
    @Test func damagedMembersGiveTheStreamingErrorExactly() throws {
        let content = testBytes(count: 300_000, seed: 40, runs: true)
        let good = RawZipMember.of("d.npy", content, deflate: true)
        var cases: [(String, RawZipMember, ZipLimits)] = []
        var m = good
        m.data[m.data.count / 2] ^= 0x5A
        cases.append(("flipped byte", m, .default))
        m = good
        m.data[0] = 0xFF
        cases.append(("invalid block type", m, .default))
        m = good
        m.data = Array(m.data.prefix(m.data.count - 3))
        m.compressedSize -= 3
        cases.append(("truncated stream", m, .default))
        m = good
        m.data += [9, 9]
        m.compressedSize += 2
        cases.append(("bytes after the stream", m, .default))
        m = good
        m.crc ^= 0x10
        cases.append(("wrong CRC", m, .default))
        m = good
        m.uncompressedSize += 1
        cases.append(("stream ends before the declared size", m, .default))
        m = good
        m.uncompressedSize -= 1
        m.crc = crc32(Array(content.dropLast()))
        cases.append(("stream goes past the declared size", m, .default))
        m = RawZipMember.of("d.npy", [], deflate: true)
        m.data = []
        m.compressedSize = 0
        cases.append(("no compressed bytes", m, .default))
        let dir = try TemporaryDirectory()
        for (label, member, limits) in cases {
            let path = try dir.write(buildZip([member]), to: "bad.npz")
            for engine in DeflateEngine.allCases {
                for chunk in [4_096, 1 << 20] {
                    let whole = try Self.read(path, engine: engine, limit: 1 << 20, chunk: chunk, limits: limits)
                    let streamed = try Self.read(path, engine: engine, limit: 0, chunk: chunk, limits: limits)
                    #expect(whole.error != nil, "\(label): read without error")
                    #expect(!whole.inflatedWhole, "\(label)")
                    #expect(whole == streamed, "\(label) \(engine) chunk \(chunk)")
                    #expect(whole.error?.hasPrefix(path + ": member 'd.npy': ") == true, "\(label): \(whole)")
                }
            }
        }
    }

    /// A decompression bomb under the limit: libdeflate is given room for the declared size only,
    /// stops there, and the member is refused as before (nothing past the declared size is read).
    @Test func streamPastTheDeclaredSizeIsRefused() throws {
        let huge = [UInt8](repeating: 0, count: 4 << 20)
        var m = RawZipMember.of("bomb.npy", huge, deflate: true)
        m.uncompressedSize = 1_000
        m.crc = crc32(Array(huge.prefix(1_000)))
        let dir = try TemporaryDirectory()
        let path = try dir.write(buildZip([m]), to: "bomb.npz")
        for chunk in [1_000, 1_001, 1 << 20] {
            let whole = try Self.read(path, limit: ZipArchiveReader.defaultWholeMemberLimit, chunk: chunk)
            #expect(!whole.inflatedWhole)
            #expect(whole.bytesRead <= 1_000)
            #expect(
                whole.error
                    == "\(path): member 'bomb.npy': deflate data inflates past the declared size of 1000 bytes "
                    + "(stopped there)", "chunk \(chunk)")
            #expect(whole == (try Self.read(path, limit: 0, chunk: chunk)), "chunk \(chunk)")
        }
    }

    /// The stored-data tap sees the compressed bytes exactly once, whole or streamed, and for a
    /// damaged member (whole read given up) exactly what the streaming read alone passes it.
    @Test func storedDataTapSeesTheCompressedBytesOnce() throws {
        let content = testBytes(count: 200_003, seed: 41, runs: true)
        let good = RawZipMember.of("t.npy", content, deflate: true)
        var bad = good
        bad.data[bad.data.count - 10] ^= 0x21
        let dir = try TemporaryDirectory()
        for (label, member) in [("good", good), ("damaged", bad)] {
            let path = try dir.write(buildZip([member]), to: "t.npz")
            var seen: [[UInt8]] = []
            var wholeFlags: [Bool] = []
            for limit in [ZipArchiveReader.defaultWholeMemberLimit, 0] {
                let reader = try ZipArchiveReader(path: path)
                let source = try reader.openMember(reader.entries[0], wholeMemberLimit: limit)
                var tapped: [UInt8] = []
                source.storedDataTap = { tapped += $0 }
                _ = try? drain(source, chunk: 10_000)
                seen.append(tapped)
                wholeFlags.append(source.inflatedWhole)
            }
            #expect(wholeFlags == [label == "good", false], "\(label)")
            #expect(seen[0] == seen[1], "\(label)")
            if label == "good" { #expect(seen[0] == member.data) }
        }
    }

    /// Members read one after another reuse the pooled buffers and still give their own bytes
    /// (a buffer grown for a big member, then a small one, then a big one again).
    @Test func pooledBuffersServeMembersOfAnySize() throws {
        let contents = [300_000, 10, 0, 500_001, 3].enumerated().map { index, size in
            testBytes(count: size, seed: 50 + UInt64(index), runs: index % 2 == 0)
        }
        let dir = try TemporaryDirectory()
        let members = contents.enumerated().map { RawZipMember.of("m\($0).npy", $1, deflate: true) }
        let path = try dir.write(buildZip(members), to: "many.npz")
        let reader = try ZipArchiveReader(path: path)
        for round in 0..<2 {
            for (entry, content) in zip(reader.entries, contents) {
                let source = try reader.openMember(entry)
                #expect(try drain(source, chunk: 7_777) == content, "round \(round) \(entry.name)")
                #expect(source.inflatedWhole)
            }
        }
    }
}
