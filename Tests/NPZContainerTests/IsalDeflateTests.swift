import Foundation
import Testing

@testable import NPZContainer

/// ISA-L block deflate: determinism (threads, write sizes), validity (zlib inflates it), the
/// known-answer check and its fallback, and the hardware CRC.
@Suite struct IsalDeflateTests {
    static let block = 40_000

    @Test func theKnownAnswerHoldsOnThisMachine() throws {
        let answer = try IsalKnownAnswer.compute()
        #expect(answer == IsalKnownAnswer.committed, "computed \(answer), committed \(IsalKnownAnswer.committed)")
        #expect(IsalKnownAnswer.passesOnThisMachine)
        #expect(IsalKnownAnswer.observedOnThisMachine == .init(answer: IsalKnownAnswer.committed, failure: nil))
        let wrong = IsalKnownAnswer.Answer(compressedSize: 1, crc32: 2)
        #expect(IsalKnownAnswer.observe(expecting: wrong).answer == IsalKnownAnswer.committed)
        #expect(!IsalKnownAnswer.matches(wrong))
        #expect(IsalKnownAnswer.input().count == 100_000)
    }

    @Test func answersPrintAndParse() {
        let answer = IsalKnownAnswer.Answer(compressedSize: 1_234, crc32: 0x00AB_CDEF)
        #expect(answer.description == "1234:00abcdef")
        #expect(IsalKnownAnswer.Answer(parsing: "1234:00abcdef") == answer)
        for bad in ["", "1234", "1234:abcdef", "x:00abcdef", "-1:00abcdef", "1:00abcdef:1"] {
            #expect(IsalKnownAnswer.Answer(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func bytesDoNotDependOnThreadsOrWriteSizes() throws {
        let dir = try TemporaryDirectory()
        let data = ParallelDeflateSupport.floatData(count: 120_000, seed: 5, zeroFraction: 0.5)
        let reference = try Self.sequentialBlocks(data, blockSize: Self.block)
        for threads in [1, 2, 7] {
            for writes in [[data.count], [1, 999, 65_536], [Self.block]] {
                let archive = try ParallelDeflateSupport.archive(
                    data, method: .isalBlocks(blockSize: Self.block, threads: threads), writes: writes, in: dir)
                let entry = try Self.firstEntry(archive, in: dir)
                let raw = ParallelDeflateSupport.rawData(of: entry, in: archive)
                #expect(raw == reference, "threads \(threads), writes \(writes)")
                #expect(try ParallelDeflateSupport.inflateRaw(raw) == data, "threads \(threads)")
                #expect(entry.crc32 == Self.bitwiseCRC(data))
            }
        }
    }

    @Test(arguments: [0, 1, block - 1, block, block + 1, 2 * block, 2 * block + 1])
    func sizesAroundBlockBoundaries(count: Int) throws {
        let dir = try TemporaryDirectory()
        let data = testBytes(count: count, seed: UInt64(count) + 1, runs: true)
        let archive = try ParallelDeflateSupport.archive(
            data, method: .isalBlocks(blockSize: Self.block, threads: 2), writes: [7_777], in: dir)
        let members = try readAllMembers(try dir.write(archive, to: "a.npz"))
        #expect(members.first?.1 == data)
        let entry = try Self.firstEntry(archive, in: dir)
        let raw = ParallelDeflateSupport.rawData(of: entry, in: archive)
        #expect(raw == (try Self.sequentialBlocks(data, blockSize: Self.block)))
        #expect(try ParallelDeflateSupport.inflateRaw(raw) == data)
    }

    /// Random bytes cannot be compressed: ISA-L stays within its output bound.
    @Test func incompressibleDataStaysWithinTheBound() throws {
        let dir = try TemporaryDirectory()
        let data = testBytes(count: 3 * Self.block + 17, seed: 99)
        let archive = try ParallelDeflateSupport.archive(
            data, method: .isalBlocks(blockSize: Self.block, threads: 2), writes: [data.count], in: dir)
        let entry = try Self.firstEntry(archive, in: dir)
        #expect(Int(entry.compressedSize) <= IsalDeflateStream.outputBound(sourceLength: data.count))
        #expect(try ParallelDeflateSupport.inflateRaw(ParallelDeflateSupport.rawData(of: entry, in: archive)) == data)
    }

    @Test func onlyLevelOneIsAcceptedForISAL() throws {
        #expect(ZipWriteMethod.isalBlocks().level == DeflateEngine.isalLevel)
        #expect(ZipWriteMethod.isalBlocks().engine == .isal)
        #expect(DeflateEngine.isalVersion.split(separator: ".").count == 3)
    }

    @Test func encodingsChooseTheirEngine() {
        #expect(MemberEncoding(compression: .deflate).writeMethod(forInput: .stored).engine == .isal)
        #expect(MemberEncoding(compression: .deflate, level: 3).writeMethod(forInput: .stored).engine == .isal)
        let zlib = MemberEncoding(compression: .deflate, level: 3, engine: .zlib).writeMethod(
            forInput: .stored, threads: 2)
        #expect(zlib.engine == .zlib && zlib.level == 3 && zlib.parallel?.threads == 2)
        let single = MemberEncoding(compression: .deflate, deflateBlockSize: nil).writeMethod(forInput: .stored)
        #expect(single.engine == .zlib && single.parallel == nil)
        #expect(MemberEncoding(compression: .deflate, deflateBlockSize: nil).effectiveEngine == .zlib)
    }

    /// A failed known-answer check gives zlib blocks: the bytes of `parallelDeflated`.
    @Test func aFailedKnownAnswerFallsBackToZlibBlocks() throws {
        let wrong = IsalKnownAnswer.Answer(compressedSize: 1, crc32: 2)
        let isal = MemberEncoding(compression: .deflate, deflateBlockSize: Self.block)
        let (fallback, fell) = isal.checkedForThisMachine(expected: wrong)
        #expect(fell && fallback.engine == .zlib && fallback.deflateBlockSize == Self.block)
        let (kept, keptFell) = isal.checkedForThisMachine()
        #expect(!keptFell && kept == isal)
        let stored = MemberEncoding(compression: .store)
        #expect(stored.checkedForThisMachine(expected: wrong).fallback == false)
        let single = MemberEncoding(compression: .deflate, deflateBlockSize: nil)
        #expect(single.checkedForThisMachine(expected: wrong).fallback == false)

        let dir = try TemporaryDirectory()
        let data = ParallelDeflateSupport.floatData(count: 30_000, seed: 8)
        let archive = try ParallelDeflateSupport.archive(
            data, method: fallback.writeMethod(forInput: .stored, threads: 2), writes: [4_096], in: dir)
        let entry = try Self.firstEntry(archive, in: dir)
        let raw = ParallelDeflateSupport.rawData(of: entry, in: archive)
        #expect(raw == (try ParallelDeflateSupport.referenceBlocks(data, level: -1, blockSize: Self.block)))
    }

    @Test func crcMatchesTheBitwiseDefinition() {
        for count in [0, 1, 15, 16, 17, 255, 4_096, 100_003] {
            let data = testBytes(count: count, seed: UInt64(count) + 3)
            let whole = data.withUnsafeBytes { CRC32.checksum($0) }
            #expect(whole == Self.bitwiseCRC(data), "\(count) bytes")
            var pieces = CRC32()
            let cut = count / 3
            data.withUnsafeBytes { raw in
                pieces.update(UnsafeRawBufferPointer(rebasing: raw[0..<cut]))
                pieces.update(UnsafeRawBufferPointer(rebasing: raw[cut...]))
            }
            #expect(pieces.value == whole)
            let joined = data.withUnsafeBytes { raw in
                CRC32.combine(
                    CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<cut])),
                    CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[cut...])),
                    lengthOfB: UInt64(count - cut))
            }
            #expect(joined == whole)
        }
    }

    // MARK: - Helpers

    static func firstEntry(_ archive: [UInt8], in dir: TemporaryDirectory) throws -> ZipEntry {
        let path = try dir.write(archive, to: "entry-\(UUID().uuidString).npz")
        return try #require(try ZipArchiveReader(path: path).entries.first)
    }

    /// ISA-L blocks one after the other on this thread, each with a fresh stream.
    static func sequentialBlocks(_ data: [UInt8], blockSize: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        repeat {
            let end = min(data.count, start + blockSize)
            let stream = IsalDeflateStream()
            var buffer = [UInt8](repeating: 0, count: IsalDeflateStream.outputBound(sourceLength: end - start))
            let dictionary = Array(data[max(0, start - 32_768)..<start])
            let count = try data[start..<end].withUnsafeBytes { input in
                try dictionary.withUnsafeBytes { dict in
                    try buffer.withUnsafeMutableBytes {
                        try stream.compressBlock(input, dictionary: dict, isLast: end == data.count, into: $0)
                    }
                }
            }
            out += buffer[0..<count]
            start = end
        } while start < data.count
        return out
    }

    /// CRC-32 (zip's reflected 0xEDB88320) bit by bit.
    static func bitwiseCRC(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
