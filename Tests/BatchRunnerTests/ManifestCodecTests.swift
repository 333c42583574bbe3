import DropoutEngine
import Foundation
import Testing

@testable import BatchRunner

/// The manifest record codec: the byte encoder against lines the earlier (String-built) encoder
/// wrote, and the strict decoder against Foundation's JSONDecoder.
@Suite struct ManifestCodecTests {
    static let goldenPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/manifest/golden-records.jsonl").path

    /// Records whose lines, as the String-built encoder wrote them, are in `golden-records.jsonl`.
    static var goldenRecords: [ManifestRecord] {
        var records: [ManifestRecord] = []
        var npy = ManifestRecord(
            input: "d0/f00001.npy", member: nil, copy: 0, output: "data/d0/f00001.npy", mask: "masks/d0/f00001.npy",
            outputMember: nil, maskMember: nil, variant: "dropout", rate: 0.5, noiseShape: [256], shape: [256],
            dtype: "<f4", fortranOrder: false, seed: 1,
            spawnKey: ArrayKey(relpath: "d0/f00001.npy", member: nil).spawnKey(copy: 0),
            status: .ok, error: nil, noiseShapeSpec: nil, dataFormat: "channels_last", scale: true, fill: nil,
            compression: nil, npdropVersion: "0.9.0")
        npy.rng = "npdrop"
        npy.outputDType = "<f4"
        npy.inputSize = 1152
        npy.inputMtimeNs = 1_764_633_600_123_456_789
        npy.inputCRC32C = 0xDEAD_BEEF
        npy.outputSize = 1152
        npy.outputCRC32C = 0
        npy.maskSize = 384
        npy.maskCRC32C = 0xFFFF_FFFF
        npy.maskFormat = "bool"
        records.append(npy)

        var member = ManifestRecord(
            input: "a/x.npz", member: "x.npy", copy: 3, output: "copy-3/data/a/x.npz", mask: "copy-3/masks/a/x.npz",
            outputMember: "x.npy", maskMember: "x.npy", variant: "spatial2d", rate: 0.1, noiseShape: [4, 1, 1, 3],
            shape: [4, 8, 8, 3], dtype: "<f8", fortranOrder: true, seed: .max,
            spawnKey: ArrayKey(relpath: "a/x.npz", member: "x.npy").spawnKey(copy: 3), status: .ok, error: nil,
            noiseShapeSpec: "None,1,1,None", dataFormat: "channels_first", scale: false, fill: "-1.5",
            compression: "deflate", compressionLevel: 1, deflateBlockSize: 1 << 20, deflateEngine: "isal",
            isalVersion: "2.31.0", isalCheck: "ok", npdropVersion: "0.9.0")
        member.rng = "keras-jax"
        member.kerasCall = 4_294_967_295
        member.kerasLayer = true
        member.outputDType = "<f4"
        member.inputSize = Int64.max
        member.inputMtimeNs = -1_000_000_001
        member.outputSize = 0
        member.maskFormat = "packbits"
        records.append(member)

        var copied = ManifestRecord(
            input: "labels/y.npy", member: nil, copy: 0, output: "data/labels/y.npy", mask: nil, outputMember: nil,
            maskMember: nil, variant: nil, rate: nil, noiseShape: nil, shape: [], dtype: "|u1", fortranOrder: false,
            seed: 0, spawnKey: [0], status: .copied, error: nil, noiseShapeSpec: nil, dataFormat: nil, scale: nil,
            fill: nil, compression: nil, npdropVersion: nil)
        copied.reason = "dtype uint8 is not selected (--dtypes float,complex); pass --dtypes int to transform it"
        copied.inputSize = 0
        copied.inputMtimeNs = Int64.min
        records.append(copied)

        var failed = ManifestRecord(
            input: "dir \"q\"\\/\u{1}tab\tnl\ncr\rbs\u{8}ff\u{C}\u{1F}\u{7F}é日本😀.npz", member: "ü.npy", copy: 12,
            output: nil, mask: nil, outputMember: nil, maskMember: nil, variant: "spatial1d", rate: 1e-300,
            noiseShape: nil, shape: nil, dtype: nil, fortranOrder: nil, seed: 18_446_744_073_709_551_614,
            spawnKey: [12, 3, 0xFFFF_FFFF, UInt64.max], status: .error,
            error: "a/x.npz: member 'ü.npy': expected a header of at most 65535 bytes, found \"\u{0}\"",
            noiseShapeSpec: "", dataFormat: nil, scale: nil, fill: "nan", compression: "store", compressionLevel: 0,
            npdropVersion: "0.1.0")
        failed.kerasCall = 0
        records.append(failed)

        for (index, rate) in [
            0.0, -0.0, 1.0, 0.3333333333333333, 0.9999999999999999, 1e-05, Double.leastNonzeroMagnitude,
            1.7976931348623157e+308, 1e16, 123456789.0, 2.5e-7, .nan, .infinity,
        ].enumerated() {
            var record = npy
            record.input = "rates/r\(index).npy"
            record.rate = rate
            record.copy = index
            record.noiseShape = index % 2 == 0 ? [] : [Int.max, Int.min, 0, -1]
            records.append(record)
        }
        return records
    }

    static func lines(ofFile path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true).map(
            String.init)
    }

    static func strict(_ line: String) -> ManifestRecord? {
        Array(line.utf8).withUnsafeBufferPointer { ManifestRecord.decodeCanonicalLine($0) }
    }

    /// The identity-only parse accepts a line exactly when the strict parser does, with the
    /// same input, member, copy, seed and status.
    static func keysAgree(_ line: [UInt8]) -> Bool {
        let whole = line.withUnsafeBufferPointer { ManifestRecord.decodeCanonicalLine($0) }
        let keys = line.withUnsafeBufferPointer { ManifestRecord.decodeCanonicalLineKeys($0) }
        guard let whole, let keys else { return whole == nil && keys == nil }
        return whole.input == keys.input && whole.member == keys.member && whole.copy == keys.copy
            && whole.seed == keys.seed && whole.status == keys.status
    }

    static func foundation(_ line: String) -> ManifestRecord? {
        try? JSONDecoder().decode(ManifestRecord.self, from: Data(line.utf8))
    }

    /// Equal, the rate's sign and bits included (`==` calls -0.0 and 0.0 equal).
    static func same(_ a: ManifestRecord?, _ b: ManifestRecord?) -> Bool {
        a == b && a?.rate?.bitPattern == b?.rate?.bitPattern
    }

    @Test func encoderWritesTheGoldenLinesByteForByte() throws {
        let golden = try Self.lines(ofFile: Self.goldenPath)
        let records = Self.goldenRecords
        #expect(golden.count == records.count)
        for (record, line) in zip(records, golden) {
            var bytes: [UInt8] = [0x41]  // appends after what is there
            record.encodeLine(into: &bytes)
            #expect(bytes.dropFirst().elementsEqual(line.utf8), "\(record.input)")
            #expect(record.jsonLine == line)
        }
        #expect(ManifestFiles.encode(records) == Array(golden.map { $0 + "\n" }.joined().utf8))
    }

    @Test func decodingAnEncodedRecordGivesItBack() throws {
        for record in Self.goldenRecords {
            let line = record.jsonLine
            var expected = record
            if let rate = record.rate, !rate.isFinite { expected.rate = nil }  // JSON has no NaN
            let back = try #require(Self.strict(line), "\(line)")
            #expect(Self.same(back, expected), "\(line)")
            #expect(Self.same(back, Self.foundation(line)), "\(line)")
            #expect(back.jsonLine == line)
            #expect(Self.same(ManifestFiles.decode(line: Array(line.utf8)), expected))
            #expect(Self.keysAgree(Array(line.utf8)), "\(line)")
        }
    }

    @Test func linesOfRealRunsDecodeAsJSONDecoderReadsThem() throws {
        let path = Self.goldenPath.replacingOccurrences(of: "golden-records.jsonl", with: "real-run.jsonl")
        let lines = try Self.lines(ofFile: path)
        #expect(lines.count > 20)
        for line in lines {
            let strict = try #require(Self.strict(line), "\(line)")
            #expect(Self.same(strict, Self.foundation(line)), "\(line)")
            #expect(strict.jsonLine == line)
            #expect(Self.keysAgree(Array(line.utf8)), "\(line)")
        }
    }

    @Test func randomRecordsDecodeAsJSONDecoderReadsThem() throws {
        var generator = SplitMix(state: 0x5EED)
        let alphabet: [Unicode.Scalar] =
            (0..<0x20).map { Unicode.Scalar(UInt8($0)) } + [
                "\"", "\\", "/", "a", "Z", " ", "\u{7F}",
                "\u{80}", "é", "\u{FFFD}", "\u{FEFF}", "日", "\u{10FFFF}", "😀", "\u{2028}",
            ]
        func text() -> String {
            var s = String.UnicodeScalarView()
            for _ in 0..<Int(generator.next() % 12) {
                s.append(alphabet[Int(generator.next() % UInt64(alphabet.count))])
            }
            return String(s)
        }
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { generator.next() % 3 == 0 ? nil : value() }
        func int() -> Int {
            switch generator.next() % 4 {
            case 0: return [Int.min, Int.max, 0, -1, 1][Int(generator.next() % 5)]
            case 1: return Int(truncatingIfNeeded: generator.next())
            default: return Int(generator.next() % 1000)
            }
        }
        func double() -> Double {
            switch generator.next() % 4 {
            case 0:
                return [
                    0.0, -0.0, 1e-300, Double.leastNonzeroMagnitude, 1.7976931348623157e+308, 0.1, 1.0, 1e16, 1e-7,
                ][Int(generator.next() % 9)]
            case 1:
                let value = Double(bitPattern: generator.next())
                return value.isFinite ? value : 0.5
            default: return Double(generator.next() % 1_000_000) / 1_000_000
            }
        }
        for _ in 0..<3000 {
            var record = ManifestRecord(
                input: text(), member: maybe(text()), copy: int(), output: maybe(text()), mask: maybe(text()),
                outputMember: maybe(text()), maskMember: maybe(text()), variant: maybe(text()), rate: maybe(double()),
                noiseShape: maybe((0..<Int(generator.next() % 4)).map { _ in int() }),
                shape: maybe((0..<Int(generator.next() % 4)).map { _ in int() }), dtype: maybe(text()),
                fortranOrder: maybe(generator.next() % 2 == 0),
                seed: generator.next() % 2 == 0 ? UInt64.max - generator.next() % 3 : generator.next() % 100,
                spawnKey: (0..<Int(generator.next() % 6)).map { _ in generator.next() >> (generator.next() % 64) },
                status: [.ok, .copied, .error][Int(generator.next() % 3)], error: maybe(text()),
                noiseShapeSpec: maybe(text()), dataFormat: maybe(text()), scale: maybe(generator.next() % 2 == 0),
                fill: maybe(text()), compression: maybe(text()), compressionLevel: maybe(int()),
                deflateBlockSize: maybe(int()), deflateEngine: maybe(text()), isalVersion: maybe(text()),
                isalCheck: maybe(text()), npdropVersion: maybe(text()))
            record.rng = maybe(text())
            record.kerasCall = maybe(int())
            record.kerasLayer = maybe(generator.next() % 2 == 0)
            record.outputDType = maybe(text())
            record.reason = maybe(text())
            record.inputSize = maybe(Int64(int()))
            record.inputMtimeNs = maybe(Int64(int()))
            record.inputCRC32C = maybe(UInt32(truncatingIfNeeded: generator.next()))
            record.outputSize = maybe(Int64(int()))
            record.outputCRC32C = maybe(UInt32.max)
            record.maskSize = maybe(Int64(int()))
            record.maskCRC32C = maybe(0)
            record.maskFormat = maybe(text())
            let line = record.jsonLine
            let strict = try #require(Self.strict(line), "\(line)")
            #expect(Self.same(strict, record), "\(line)")
            #expect(Self.same(strict, Self.foundation(line)), "\(line)")
            #expect(strict.jsonLine == line)
            #expect(Self.keysAgree(Array(line.utf8)), "\(line)")
        }
    }

    /// Valid JSON the byte parser leaves to JSONDecoder: the result is JSONDecoder's.
    @Test func otherJSONFormsAreReadByJSONDecoder() throws {
        let line = try #require(try Self.lines(ofFile: Self.goldenPath).first)
        func replacing(_ old: String, _ new: String) -> String {
            precondition(line.contains(old), old)
            return line.replacingOccurrences(of: old, with: new)
        }
        let variants = [
            replacing("\"copy\":0", "\"copy\": 0"),
            " " + line,
            line + " ",
            replacing("\"rate\":0.5", "\"rate\":5E-1"),
            replacing("\"rate\":0.5", "\"rate\":0.50"),
            replacing("\"rate\":0.5", "\"rate\":5e-1"),
            replacing("\"seed\":1", "\"seed\":1.0"),
            replacing("\"input\":\"d0/f00001.npy\"", "\"input\":\"d0\\/f\\u0030\\u00e9.npy\""),
            replacing("\"dtype\":\"<f4\"", "\"dtype\":\"\\u003cf4\""),
            replacing("\"error\":null", "\"error\":\"\\u000a\""),
            replacing("\"error\":null", "\"error\":\"\\u001F\""),
            replacing("\"error\":null", "\"error\":\"\\ud83d\\ude00\""),
            replacing("\"mask_format\":\"bool\"", "\"mask_format\":\"bool\",\"later_field\":[1,{\"x\":2}]"),
            replacing(",\"mask_format\":\"bool\"", ""),  // an older manifest
            replacing("\"member\":null,", ""),
            replacing("\"input\":\"d0/f00001.npy\",\"member\":null", "\"member\":null,\"input\":\"d0/f00001.npy\""),
            replacing("\"shape\":[256]", "\"shape\":[ 256 ]"),
            replacing("\"input_size\":1152", "\"input_size\":-0"),
        ]
        for variant in variants {
            #expect(Self.strict(variant) == nil, "\(variant)")
            #expect(Self.keysAgree(Array(variant.utf8)), "\(variant)")
            let viaFiles = ManifestFiles.decode(line: Array(variant.utf8))
            #expect(Self.same(viaFiles, Self.foundation(variant)), "\(variant)")
            #expect(viaFiles != nil, "\(variant)")
        }
    }

    /// Lines no reader accepts stay invalid (the reader counts them; nothing traps).
    @Test func malformedLinesAreNotRecords() throws {
        let line = try #require(try Self.lines(ofFile: Self.goldenPath).first)
        var variants: [[UInt8]] = [
            [], Array("{}".utf8), Array("null".utf8), Array("[]".utf8), Array("{\"input\":".utf8),
            Array(line.utf8.dropLast()), Array(line.utf8.prefix(40)),
            Array(line.replacingOccurrences(of: "\"status\":\"ok\"", with: "\"status\":\"maybe\"").utf8),
            Array(line.replacingOccurrences(of: "\"seed\":1", with: "\"seed\":-1").utf8),
            Array(line.replacingOccurrences(of: "\"seed\":1", with: "\"seed\":18446744073709551616").utf8),
            Array(line.replacingOccurrences(of: "\"seed\":1", with: "\"seed\":null").utf8),
            Array(
                line.replacingOccurrences(of: "\"input_crc32c\":3735928559", with: "\"input_crc32c\":4294967296").utf8),
            Array(line.replacingOccurrences(of: "\"rate\":0.5", with: "\"rate\":NaN").utf8),
            Array(line.replacingOccurrences(of: "\"copy\":0", with: "\"copy\":99999999999999999999").utf8),
            Array(line.replacingOccurrences(of: "\"dtype\":\"<f4\"", with: "\"dtype\":\"<f4").utf8),
        ]
        var raw = Array(line.utf8)
        raw[raw.firstIndex(of: UInt8(ascii: "f"))!] = 0xFF  // invalid UTF-8 in a string
        variants.append(raw)
        var control = Array(line.utf8)
        control[control.firstIndex(of: UInt8(ascii: "f"))!] = 0x01  // raw control byte in a string
        variants.append(control)
        // The same faults in fields the identity-only parse does not keep (and two escapes
        // only JSONDecoder reads there).
        let dtype = try #require(
            line.utf8.firstIndex(of: UInt8(ascii: "<")).map { line.utf8.distance(from: line.utf8.startIndex, to: $0) })
        let faults: [[UInt8]] = [[0xFF], [0x01], [0xC3], [0xED, 0xA0, 0x80], Array("\\x".utf8)]
        for bad in faults + [Array("\\/".utf8), Array("\\u0008".utf8)] {
            var bytes = Array(line.utf8)
            bytes.replaceSubrange(dtype..<(dtype + 1), with: bad)
            #expect(Self.keysAgree(bytes), "\(String(decoding: bytes, as: UTF8.self))")
            if faults.contains(bad) { variants.append(bytes) }
        }
        for variant in variants {
            let shown = String(decoding: variant, as: UTF8.self)
            #expect(Self.keysAgree(variant), "\(shown)")
            #expect(variant.withUnsafeBufferPointer { ManifestRecord.decodeCanonicalLine($0) } == nil, "\(shown)")
            #expect(ManifestFiles.decode(line: variant) == nil, "\(shown)")
        }
    }

    @Test func negativeZeroAndTinyRatesKeepTheirBits() throws {
        var record = try #require(Self.goldenRecords.first)
        for rate in [
            -0.0, 0.0, 1e-300, Double.leastNonzeroMagnitude, -Double.leastNonzeroMagnitude, 2.2250738585072014e-308,
            1.7976931348623157e+308,
        ] {
            record.rate = rate
            let line = record.jsonLine
            let back = try #require(Self.strict(line))
            #expect(back.rate?.bitPattern == rate.bitPattern, "\(line)")
            #expect(Self.foundation(line)?.rate?.bitPattern == rate.bitPattern, "\(line)")
        }
    }
}

/// A small deterministic generator for the random records.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
