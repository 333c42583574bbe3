import DropoutEngine
import Foundation
import NPYStream
import NPZContainer
import Testing

/// `NPZDropout` on archives NumPy wrote: each member keyed `relpath + "\0" + entry` (and the
/// copy index), names, order and compression kept or forced, checked by NumPy.
@Suite(.enabled(if: Reference.hasPython, "python3 is not available"))
struct PipelineNPZTests {
    static let makeArchives = #"""
    import sys
    import numpy as np
    folder = sys.argv[1]
    g = np.random.default_rng(3)
    members = dict(
        a=g.standard_normal((3, 4, 5)).astype("<f4"),
        b=np.asfortranarray(g.integers(-999, 999, (4, 6)).astype(">i2")),
        c=g.random(5) < 0.5,
        d=np.asfortranarray((g.standard_normal((2, 3, 4, 3)) + 1j).astype("<c8")),
        e=np.float64(np.nan),
        f=np.zeros((0, 3), dtype=">f2"),
    )
    np.savez(folder + "/in.npz", **members)
    np.savez_compressed(folder + "/in_c.npz", **members)
    """#

    static let verify = #"""
    import io, json, sys, zipfile
    import numpy as np
    import npdrop_ref as ref
    job = json.load(open(sys.argv[1]))
    zi, zo, zm = (zipfile.ZipFile(job[k]) for k in ("input", "out", "mask"))
    assert zi.namelist() == zo.namelist() == zm.namelist(), (zi.namelist(), zo.namelist(), zm.namelist())
    for name in zi.namelist():
        x = np.load(io.BytesIO(zi.read(name)))
        y, keep, rec = ref.dropout(x, job["seed"], ref.array_key(job["relpath"], name), job["rate"], copy=job["copy"])
        for z, want in ((zo, y), (zm, keep)):
            b = io.BytesIO(); np.save(b, want)
            assert z.read(name) == b.getvalue(), name
            assert z.getinfo(name).compress_type == job["method"], (name, z.getinfo(name).compress_type)
    assert zo.testzip() is None and zm.testzip() is None
    print(len(zi.namelist()))
    """#

    private func run(_ input: URL, folder: URL, compression: MemberEncoding.Compression, copy: Int) throws -> (URL, URL, [ArrayDropoutPlan]) {
        let out = folder.appendingPathComponent("out-\(UUID().uuidString).npz")
        let mask = folder.appendingPathComponent("mask-\(UUID().uuidString).npz")
        let archive = try ZipArchiveReader(path: input.path)
        let output = try ZipArchiveWriter(path: out.path)
        let maskWriter = try ZipArchiveWriter(path: mask.path)
        let plans = try NPZDropout.run(archive: archive, relpath: "sub/in.npz", copy: copy,
                                       options: DropoutOptions(rate: 0.35, seed: 5), output: output, mask: maskWriter,
                                       encoding: MemberEncoding(compression: compression), scratch: DropoutScratch(chunkBytes: 64))
        try output.finish()
        try maskWriter.finish()
        return (out, mask, plans)
    }

    @Test func membersMatchTheReferenceWithTheirOwnKeys() throws {
        let folder = try Reference.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try Reference.runPython(Self.makeArchives.replacingOccurrences(of: "sys.argv[1]", with: "'\(folder.path)'"))
        let cases: [(String, MemberEncoding.Compression, Int, Int)] = [
            ("in.npz", .input, 0, 0), ("in_c.npz", .input, 1, 8), ("in.npz", .deflate, 2, 8), ("in_c.npz", .store, 0, 0),
        ]
        for (name, compression, copy, method) in cases {
            let input = folder.appendingPathComponent(name)
            let (out, mask, plans) = try run(input, folder: folder, compression: compression, copy: copy)
            #expect(plans.map(\.member) == ["a.npy", "b.npy", "c.npy", "d.npy", "e.npy", "f.npy"])
            #expect(plans.map(\.spawnKey.first) == Array(repeating: UInt64(copy), count: 6))
            let printed = try Reference.runPython(Self.verify, jsonInput: [
                "input": input.path, "out": out.path, "mask": mask.path, "relpath": "sub/in.npz", "seed": 5,
                "rate": 0.35, "copy": copy, "method": method,
            ])
            #expect(printed == "6\n", "\(name) \(compression)")
        }
    }

    @Test func aMemberWithTrailingBytesIsAnErrorNamingArchiveAndMember() throws {
        let folder = try Reference.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("t.npz")
        _ = try Reference.runPython("""
            import io, zipfile
            import numpy as np
            b = io.BytesIO(); np.save(b, np.arange(5.0))
            with zipfile.ZipFile('\(input.path)', 'w') as z:
                z.writestr('good.npy', b.getvalue())
                z.writestr('bad.npy', b.getvalue() + b'!')
            """)
        do {
            _ = try run(input, folder: folder, compression: .input, copy: 0)
            Issue.record("no error")
        } catch {
            #expect("\(error)" == "\(input.path): bad.npy: the member has bytes after its array data (an .npz member must hold exactly one .npy array)")
        }
    }
}
