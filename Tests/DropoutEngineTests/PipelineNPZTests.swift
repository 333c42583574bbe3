import DropoutEngine
import DropoutFiles
import Foundation
import NPYStream
import NPZContainer
import Testing

/// DropoutFiles' `NPZFileJob` on archives NumPy wrote: each member keyed `relpath + "\0" + entry` (and the
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

    private func run(
        _ input: URL, folder: URL, compression: MemberEncoding.Compression, copy: Int
    ) throws -> (URL, URL, FileOutcome) {
        let out = folder.appendingPathComponent("out-\(UUID().uuidString).npz")
        let mask = folder.appendingPathComponent("mask-\(UUID().uuidString).npz")
        let request = FileRequest(
            path: input.path, name: input.path, keyPath: "sub/in.npz", copy: copy,
            encoding: MemberEncoding(compression: compression)
        ) { _ in
            .process(DropoutOptions(rate: 0.35, seed: 5))
        }
        let job = try NPZFileJob.prepare(request)
        let output = try FileDescriptor.createExclusive(out.path)
        let maskFile = try FileDescriptor.createExclusive(mask.path)
        defer {
            try? output.close()
            try? maskFile.close()
        }
        let outcome = try job.run(
            targets: FileTargets(data: output, dataName: out.path, mask: maskFile, maskName: mask.path),
            worker: DropoutWorker(chunkBytes: 64))
        for array in outcome.arrays {
            if case .failed(let message) = array.status { throw MemberFailure(description: message) }
        }
        return (out, mask, outcome)
    }

    private struct MemberFailure: Error, CustomStringConvertible {
        let description: String
    }

    @Test func membersMatchTheReferenceWithTheirOwnKeys() throws {
        let folder = try Reference.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try Reference.runPython(Self.makeArchives.replacingOccurrences(of: "sys.argv[1]", with: "'\(folder.path)'"))
        let cases: [(String, MemberEncoding.Compression, Int, Int)] = [
            ("in.npz", .input, 0, 0), ("in_c.npz", .input, 1, 8), ("in.npz", .deflate, 2, 8),
            ("in_c.npz", .store, 0, 0),
        ]
        for (name, compression, copy, method) in cases {
            let input = folder.appendingPathComponent(name)
            let (out, mask, outcome) = try run(input, folder: folder, compression: compression, copy: copy)
            #expect(outcome.arrays.map(\.member) == ["a.npy", "b.npy", "c.npy", "d.npy", "e.npy", "f.npy"])
            #expect(outcome.arrays.allSatisfy { $0.status == .processed })
            let printed = try Reference.runPython(
                Self.verify,
                jsonInput: [
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
        _ = try Reference.runPython(
            """
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
            #expect(
                "\(error)"
                    == "\(input.path): member 'bad.npy': the member has bytes after its array data (an .npz member must hold exactly one .npy array)"
            )
        }
    }
}
