/// The check that this machine's ISA-L deflates to the bytes npdrop's outputs promise: a fixed buffer
/// deflated in ISA-L blocks must give the committed size and CRC-32. ISA-L's bytes differ on its
/// plain-C code path (CPUs or VMs without SSE4.2, non-x86 builds) and in versions before 2.25; where
/// the check fails, npdrop writes zlib blocks instead (and says so), so an output's bytes still
/// depend only on its data and options.
public enum IsalKnownAnswer {
    /// What deflating `input` gives: the compressed size and the CRC-32 of the compressed bytes.
    public struct Answer: Sendable, Hashable, CustomStringConvertible {
        /// Bytes of deflate output.
        public var compressedSize: Int
        /// CRC-32 of the deflate output.
        public var crc32: UInt32

        /// An answer; see the properties.
        public init(compressedSize: Int, crc32: UInt32) {
            self.compressedSize = compressedSize
            self.crc32 = crc32
        }

        /// `SIZE:CRC` with the CRC in 8 hex digits, e.g. `49012:0a1b2c3d`.
        public var description: String {
            let hex = String(crc32, radix: 16)
            return "\(compressedSize):\(String(repeating: "0", count: 8 - hex.count))\(hex)"
        }

        /// Parses `description`'s form; nil for anything else.
        public init?(parsing text: String) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let size = Int(parts[0]), size >= 0, parts[1].count == 8,
                let crc = UInt32(parts[1], radix: 16)
            else { return nil }
            self.init(compressedSize: size, crc32: crc)
        }
    }

    /// The answer of ISA-L 2.25–2.32.1 on x86-64 with SSE4.2 or later (committed; measured with 2.30).
    public static let committed = Answer(compressedSize: 36_469, crc32: 0xE962_3CE0)

    /// Block size of the check: the smallest allowed, so the input has full blocks with dictionaries,
    /// sync flushes and a short final block.
    public static let blockSize = ParallelDeflateOptions.blockSizeRange.lowerBound

    /// The fixed input: 100,000 bytes mixing float32-like values, runs and repeated text
    /// (a 64-bit LCG, so no table is committed).
    public static func input() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(100_000)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let text = Array("npdrop known answer: deflate blocks with dictionaries and sync flushes. ".utf8)
        while bytes.count < 100_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let word = UInt32(truncatingIfNeeded: state >> 33)
            switch word % 8 {
            case 0: bytes += text[0..<(Int(word >> 8) % text.count)]
            case 1: bytes += [UInt8](repeating: UInt8(truncatingIfNeeded: word >> 16), count: Int(word >> 24) % 40)
            default:
                // A float32 near 1.0: random low mantissa bits, a repetitive high part.
                let value = 0x3F80_0000 | (word & 0x007F_FFFF)
                bytes += withUnsafeBytes(of: value.littleEndian) { Array($0) }
            }
        }
        return Array(bytes[0..<100_000])
    }

    /// Deflates `input()` in ISA-L blocks of `blockSize` on the calling thread and returns the answer.
    /// Throws `ZipError.zlib` when ISA-L fails.
    public static func compute() throws(ZipError) -> Answer {
        let total = SizeAndCRC()
        let deflater = try ParallelDeflater(
            engine: .isal, level: DeflateEngine.isalLevel,
            options: ParallelDeflateOptions(blockSize: blockSize, threads: 1),
            emit: { (bytes: UnsafeRawBufferPointer) throws(ZipError) -> Void in
                total.size += bytes.count
                total.crc.update(bytes)
            })
        let data = input()
        var failure: ZipError?
        data.withUnsafeBytes { raw in
            do throws(ZipError) { try deflater.write(raw) } catch { failure = error }
        }
        if let failure { throw failure }
        try deflater.finish()
        let size = total.size
        let crc = total.crc
        return Answer(compressedSize: size, crc32: crc.value)
    }

    /// What this machine's ISA-L gave for the known input: its answer, or the error's text.
    public struct Observation: Sendable, Equatable, CustomStringConvertible {
        /// The answer, or nil when ISA-L failed.
        public var answer: Answer?
        /// The failure's text when ISA-L failed.
        public var failure: String?

        /// An observation; see the properties.
        public init(answer: Answer?, failure: String?) {
            self.answer = answer
            self.failure = failure
        }

        /// The answer as `SIZE:CRC`, or the failure.
        public var description: String { answer.map { "\($0)" } ?? "an error (\(failure ?? "unknown"))" }
    }

    /// Computes the answer, once more when the first one is not `expected` (so one disturbed
    /// computation does not change a run's engine; a machine whose ISA-L differs gives the same
    /// other answer twice). Returns what the last computation gave.
    public static func observe(expecting expected: Answer) -> Observation {
        var observation = Observation(answer: nil, failure: nil)
        for _ in 0..<2 {
            do throws(ZipError) {
                observation = Observation(answer: try compute(), failure: nil)
            } catch {
                observation = Observation(answer: nil, failure: error.description)
            }
            if observation.answer == expected { break }
        }
        return observation
    }

    /// What this machine's ISA-L gives against `expected`: for `committed`, the observation made
    /// once per process (`observedOnThisMachine`); for any other answer, computed now.
    public static func observation(expecting expected: Answer) -> Observation {
        expected == committed ? observedOnThisMachine : observe(expecting: expected)
    }

    /// Whether this machine's ISA-L gives `expected` (see `observation(expecting:)`).
    public static func matches(_ expected: Answer) -> Bool {
        observation(expecting: expected).answer == expected
    }

    /// What this machine's ISA-L gives for the committed answer's input; computed once per process,
    /// at first use.
    public static let observedOnThisMachine: Observation = observe(expecting: committed)

    /// Whether this machine's ISA-L gives the committed answer; checked once per process, at first use.
    public static var passesOnThisMachine: Bool { matches(committed) }
}

/// What the known-answer deflate emitted (written by the emitting thread: with one thread, the caller).
private final class SizeAndCRC: @unchecked Sendable {
    var size = 0
    var crc = CRC32()
}
