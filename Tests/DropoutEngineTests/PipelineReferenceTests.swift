import DropoutEngine
import Foundation
import NPYFormat
import NPYStream
import Testing

/// One array + options run through the Python reference (`python/npdrop_ref.py`) and npdrop.
struct PipelineCase: CustomStringConvertible {
    var id: Int
    var descr: String
    var shape: [Int]
    var fortran: Bool
    var variant = "dropout"
    var rate = 0.5
    var spec: String? = nil
    var dataFormat = "channels_last"
    var noScale = false
    var fill: String? = nil
    var seed: UInt64 = 42
    var key = "x.npy"

    var description: String {
        "#\(id) \(descr) \(shape) \(fortran ? "F" : "C") \(variant) rate=\(rate)"
            + (spec.map { " spec=\($0)" } ?? "") + (dataFormat == "channels_last" ? "" : " \(dataFormat)")
            + (noScale ? " no-scale" : "") + (fill.map { " fill=\($0)" } ?? "")
            + " seed=\(seed) key=\(key.debugDescription)"
    }

    var json: [String: Any] {
        [
            "id": id, "descr": descr, "shape": shape, "fortran": fortran, "variant": variant, "rate": rate,
            "spec": spec as Any? ?? NSNull(), "data_format": dataFormat, "no_scale": noScale,
            "fill": fill as Any? ?? NSNull(), "seed": String(seed), "key": key,
        ]
    }
}

/// Makes each case's input with NumPy (random values plus NaN, ±0, ±inf, the largest finite
/// value, in the case's dtype, byte order and memory order), then saves `<id>.in.npy`, and
/// the reference's result `<id>.out.npy` and keep mask `<id>.mask.npy` with `np.save`.
private let pipelineReferenceScript = #"""
    import json, os, sys
    import numpy as np
    import npdrop_ref as ref

    job = json.load(open(sys.argv[1]))
    folder = job["folder"]

    def make(c):
        dt = np.dtype(c["descr"])
        shape = tuple(c["shape"])
        n = int(np.prod(shape, dtype=np.int64))
        g = np.random.default_rng(1000 + c["id"])
        native = dt.newbyteorder("=")
        if dt.kind == "b":
            x = g.random(n) < 0.5
        elif dt.kind in "iu":
            info = np.iinfo(native)
            x = g.integers(info.min, info.max, n, dtype=native, endpoint=True)
        else:
            part = np.finfo(native).dtype
            def reals():
                v = (g.standard_normal(n) * 50).astype(part)
                specials = np.array([np.nan, -0.0, 0.0, np.inf, -np.inf, np.finfo(part).max,
                                     -np.finfo(part).tiny, 1.0], dtype=part)
                k = min(n, len(specials))
                v[g.permutation(n)[:k]] = specials[:k]
                return v
            if dt.kind == "f":
                x = reals()
            else:
                x = np.empty(n, native)
                x.real = reals()
                x.imag = reals()
        return np.asarray(x).astype(dt).reshape(shape, order="F" if c["fortran"] else "C")

    for c in job["cases"]:
        x = make(c)
        base = os.path.join(folder, str(c["id"]))
        with open(base + ".in.npy", "wb") as f:
            np.save(f, x)
        spec = ref.parse_noise_spec(c["spec"]) if c["spec"] is not None else None
        y, keep, _ = ref.dropout(x, int(c["seed"]), c["key"], c["rate"], c["variant"], spec, c["data_format"],
                                 c["no_scale"], c["fill"])
        with open(base + ".out.npy", "wb") as f:
            np.save(f, y)
        with open(base + ".mask.npy", "wb") as f:
            np.save(f, keep)
    """#

enum PipelineMatrix {
    static let oneByte = ["|b1", "|i1", "|u1"]
    static let multiByte = ["i2", "i4", "i8", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16"]
    static var descrs: [String] { oneByte + multiByte.flatMap { ["<" + $0, ">" + $0] } }

    /// Every dtype x variant layout x C/Fortran, plus option cases per dtype.
    static func cases() -> [PipelineCase] {
        var cases: [PipelineCase] = []
        let rates = [0.5, 0.3, 0.75, 0.1, 0.9]
        let keys = ["x.npy", "dir/sub/y.npy", "ünï cødé.npy", "", "k\u{0}npz-member.npy"]
        func add(_ c: PipelineCase) {
            var c = c
            c.id = cases.count
            if c.seed == 42 { c.seed = [42, 0, UInt64.max, 12345, 1 << 40][c.id % 5] }
            if c.key == "x.npy" { c.key = keys[c.id % keys.count] }
            cases.append(c)
        }
        for descr in descrs {
            let isFloat = descr.dropFirst().hasPrefix("f")
            let isSigned = descr.dropFirst().hasPrefix("i")
            for fortran in [false, true] {
                let layouts: [(String, [Int], String?, String)] = [
                    ("dropout", [4, 5, 3], nil, "channels_last"),
                    ("spatial1d", [3, 5, 4], nil, "channels_last"),
                    ("spatial1d", [5, 4], nil, "channels_last"),
                    ("spatial2d", [2, 3, 4, 3], nil, "channels_last"),
                    ("spatial2d", [3, 4, 3], nil, "channels_last"),
                    ("spatial3d", [2, 2, 3, 2, 3], nil, "channels_last"),
                    ("spatial3d", [2, 3, 2, 3], nil, "channels_last"),
                    ("dropout", [4, 5, 3], "None,1,None", "channels_last"),
                    ("dropout", [4, 5, 3], "None,None,1", "channels_last"),
                    ("spatial2d", [2, 3, 4, 3], nil, "channels_first"),
                    ("spatial1d", [4, 3], nil, "channels_first"),
                ]
                for (i, layout) in layouts.enumerated() {
                    add(
                        PipelineCase(
                            id: 0, descr: descr, shape: layout.1, fortran: fortran, variant: layout.0,
                            rate: rates[i % rates.count], spec: layout.2, dataFormat: layout.3))
                }
                if isFloat {
                    add(
                        PipelineCase(
                            id: 0, descr: descr, shape: [4, 5, 3], fortran: fortran, variant: "alpha", rate: 0.3))
                    add(
                        PipelineCase(
                            id: 0, descr: descr, shape: [4, 5, 3], fortran: fortran, variant: "alpha", rate: 0.6,
                            spec: "1,None,1"))
                }
            }
            let fill = descr.hasSuffix("b1") ? "1" : isSigned ? "-7" : descr.dropFirst().hasPrefix("u") ? "7" : "-1.5"
            add(PipelineCase(id: 0, descr: descr, shape: [4, 5, 3], fortran: false, rate: 0.4, noScale: true))
            add(
                PipelineCase(
                    id: 0, descr: descr, shape: [4, 5, 3], fortran: true, variant: "spatial1d", rate: 0.4, noScale: true
                ))
            add(PipelineCase(id: 0, descr: descr, shape: [4, 5, 3], fortran: false, rate: 0.6, fill: fill))
            add(
                PipelineCase(
                    id: 0, descr: descr, shape: [4, 5, 3], fortran: true, variant: "spatial1d", rate: 0.6,
                    noScale: true, fill: fill))
            add(PipelineCase(id: 0, descr: descr, shape: [2, 3, 4, 3], fortran: true, variant: "spatial2d", rate: 0))
            add(PipelineCase(id: 0, descr: descr, shape: [4, 5, 3], fortran: false, rate: 0))
            add(PipelineCase(id: 0, descr: descr, shape: [4, 5, 3], fortran: true, rate: 1))
            add(
                PipelineCase(
                    id: 0, descr: descr, shape: [3, 5, 4], fortran: false, variant: "spatial1d", rate: 1, fill: fill))
            add(PipelineCase(id: 0, descr: descr, shape: [], fortran: false, rate: 0.5))
            add(PipelineCase(id: 0, descr: descr, shape: [0, 3], fortran: false, rate: 0.5, spec: "1,None"))
            add(PipelineCase(id: 0, descr: descr, shape: [2, 0, 3], fortran: true, variant: "spatial1d", rate: 0.5))
            add(PipelineCase(id: 0, descr: descr, shape: [1, 5, 1], fortran: true, rate: 0.5))
            add(PipelineCase(id: 0, descr: descr, shape: [7, 1, 6], fortran: true, rate: 0.5, spec: "None,1,1"))
            add(PipelineCase(id: 0, descr: descr, shape: [9], fortran: false, rate: 0.5))
        }
        return cases
    }
}

/// Runs every case through the Python reference once and keeps `<id>.{in,out,mask}.npy` in
/// memory; the folder the script wrote them to is removed right after reading (tests leave no
/// scratch behind, also when they fail).
final class PipelineReferenceData: @unchecked Sendable {
    static let shared = PipelineReferenceData()

    let cases = PipelineMatrix.cases()
    private let lock = NSLock()
    private var files: Result<[String: [UInt8]], any Error>?

    /// The reference files by name, made on first use.
    func referenceFiles() throws -> [String: [UInt8]] {
        try lock.withLock {
            if files == nil {
                files = Result {
                    let dir = try Reference.makeTemporaryDirectory()
                    defer { try? FileManager.default.removeItem(at: dir) }
                    _ = try Reference.runPython(
                        pipelineReferenceScript,
                        jsonInput: ["folder": dir.path, "cases": cases.map(\.json)])
                    var loaded: [String: [UInt8]] = [:]
                    for name in try FileManager.default.contentsOfDirectory(atPath: dir.path)
                    where name.hasSuffix(".npy") {
                        loaded[name] = [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
                    }
                    return loaded
                }
            }
            return try files!.get()
        }
    }

    func file(_ id: Int, _ kind: String) throws -> [UInt8] {
        let name = "\(id).\(kind).npy"
        guard let bytes = try referenceFiles()[name] else {
            throw Reference.PythonFailure(status: 0, stderr: "no \(name)")
        }
        return bytes
    }
}

@Suite(.enabled(if: Reference.hasPython, "python3 is not available"))
struct PipelineReferenceTests {
    /// Checks one case in every mode: sequential with whole, 1-element and 7-element chunks and
    /// 3-byte reads; positioned segments split at random and run in random order; each with
    /// the noise table (when the plan picks it) and with the table forbidden (strided walk).
    private func check(_ c: PipelineCase, random: inout TestRandom, folder: URL) throws {
        let data = PipelineReferenceData.shared
        let input = try data.file(c.id, "in")
        let expectedOutput = try data.file(c.id, "out")
        let expectedMask = try data.file(c.id, "mask")
        let header = try PipelineHarness.header(of: input)
        let options = try DropoutOptions.fromCase(
            variant: c.variant, rate: c.rate, spec: c.spec, dataFormat: c.dataFormat,
            seed: c.seed, noScale: c.noScale, fill: c.fill)
        for limit in [ArrayDropoutPlan.defaultNoiseTableLimit, 0] {
            let plan = try ArrayDropoutPlan(
                header: header, key: ArrayKey(string: c.key), options: options,
                name: "\(c.id).in.npy", noiseTableLimit: limit)
            for chunk in [nil, 1, 7] as [Int?] {
                let result = try PipelineHarness.runSequential(
                    plan, input: input, chunkElements: chunk,
                    maxRead: chunk == 7 ? 3 : Int.max)
                #expect(
                    result.output == expectedOutput, "\(c) \(plan.strategy) chunk \(String(describing: chunk)): result")
                #expect(result.mask == expectedMask, "\(c) \(plan.strategy) chunk \(String(describing: chunk)): mask")
            }
            let segments = try PipelineHarness.runSegments(
                plan, input: input, in: folder, segments: 1 + random.below(5),
                random: &random)
            #expect(segments.output == expectedOutput, "\(c) \(plan.strategy) segments: result")
            #expect(segments.mask == expectedMask, "\(c) \(plan.strategy) segments: mask")
        }
    }

    @Test(arguments: PipelineMatrix.descrs)
    func everyVariantLayoutAndOptionMatchesTheReference(descr: String) throws {
        let folder = try Reference.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var random = TestRandom(seed: descr.unicodeScalars.reduce(7) { $0 &* 31 &+ UInt64($1.value) })
        let cases = PipelineReferenceData.shared.cases.filter { $0.descr == descr }
        #expect(cases.count >= 30)
        for c in cases {
            try check(c, random: &random, folder: folder)
        }
    }

    @Test func strategiesAreTheOnesDescribed() throws {
        func strategy(
            _ shape: [Int], fortran: Bool, variant: Variant = .dropout, rate: Double = 0.5,
            limit: Int = ArrayDropoutPlan.defaultNoiseTableLimit
        ) throws -> KeepStrategy {
            let header = NPYHeader(
                version: .v1, dtype: DType(kind: .float, itemSize: 4, byteOrder: .little),
                fortranOrder: fortran, shape: shape, dataOffset: 128)
            return try ArrayDropoutPlan(
                header: header, key: ArrayKey(string: "k"),
                options: DropoutOptions(variant: variant, rate: rate, seed: 1),
                name: "k", noiseTableLimit: limit
            ).strategy
        }
        #expect(try strategy([4, 5], fortran: false) == .inStep)
        #expect(try strategy([4, 5], fortran: true) == .noiseTable)
        #expect(try strategy([4, 5], fortran: true, limit: 19) == .strided)
        #expect(try strategy([4, 5], fortran: true, limit: 20) == .noiseTable)
        #expect(try strategy([1, 5], fortran: true) == .inStep)  // one axis longer than 1: same order
        #expect(try strategy([2, 5, 3], fortran: false, variant: .spatial1d) == .noiseTable)
        #expect(try strategy([2, 5, 3], fortran: false, variant: .spatial1d, rate: 0) == .constant)
        #expect(try strategy([2, 5, 3], fortran: true, rate: 1) == .constant)
    }
}
