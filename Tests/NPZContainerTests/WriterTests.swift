import Foundation
import Testing

@testable import NPZContainer

@Suite struct WriterTests {
    @Test func roundTripsStoredAndDeflatedMembersInAnyChunking() throws {
        let members: [(String, [UInt8])] = [
            ("a.npy", testBytes(count: 300_000, seed: 1)),
            ("empty.npy", []),
            ("dir/b.npy", testBytes(count: 2_500_000, seed: 2, runs: true)),
            ("c.npy", [42]),
        ]
        let dir = try TemporaryDirectory()
        for method in [ZipWriteMethod.stored, .deflated, .deflated(level: 0), .deflated(level: 1), .deflated(level: 9)]
        {
            for chunk in [1_000, 1 << 20, 3 << 20] {
                let path = dir.path("rt.npz")
                try writeArchive(path, members, method: method, chunk: chunk)
                let got = try readAllMembers(path, chunk: 65_536)
                #expect(got.map(\.0) == members.map(\.0), "\(method) chunk \(chunk)")
                #expect(got.map(\.1) == members.map(\.1), "\(method) chunk \(chunk)")
                let reader = try ZipArchiveReader(path: path)
                #expect(reader.entries.allSatisfy { $0.method == method.method })
            }
        }
    }

    /// Rewriting NumPy's own archives (same names, same member bytes, same method) gives the same file,
    /// byte for byte: headers, zip64 extras, versions, attributes, timestamps and deflate output.
    @Test(arguments: [
        ("savez_stored.npz", false), ("savez_compressed.npz", true), ("positional.npz", false),
        ("positional_compressed.npz", true), ("names.npz", false), ("many_members.npz", true), ("empty.npz", false),
    ])
    func rewritingNumpyFixturesIsByteIdentical(file: String, compressed: Bool) throws {
        let original = try readFile(TestPaths.fixture(file))
        let members = try readAllMembers(TestPaths.fixture(file))
        let dir = try TemporaryDirectory()
        let chunks = members.count > 100 ? [1 << 16] : [1, 100, 1 << 16]
        for chunk in chunks {
            let path = dir.path(file)
            try writeArchive(path, members, method: compressed ? .deflated : .stored, chunk: chunk)
            let ours = try readFile(path)
            #expect(ours.count == original.count, "\(file) chunk \(chunk)")
            #expect(ours == original, "\(file) chunk \(chunk): first difference at \(firstDifference(ours, original))")
        }
    }

    @Test func writerRefusesMisuse() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("m.npz")
        let writer = try ZipArchiveWriter(path: path)
        let sink = try writer.beginMember(name: "a.npy")
        guard case .misuse? = expectZipError({ _ = try writer.beginMember(name: "b.npy") }) else {
            Issue.record("expected misuse for a second open member")
            return
        }
        try writer.finishMember()
        guard case .misuse? = expectZipError({ try [UInt8]([1, 2]).withUnsafeBytes { try sink.write($0) } }) else {
            Issue.record("expected misuse for a write after finishMember")
            return
        }
        #expect(
            expectZipError(in: path) { _ = try writer.beginMember(name: "a.npy") }
                == .duplicateName(member: "a.npy"))
        #expect(
            expectZipError(in: path) { _ = try writer.beginMember(name: "b.npy", method: .deflated(level: 10)) }
                == .invalidCompressionLevel(level: 10))
        guard case .unwritableName? = expectZipError({ _ = try writer.beginMember(name: "") }) else {
            Issue.record("expected unwritableName")
            return
        }
        try writer.finish()
        guard case .misuse? = expectZipError({ _ = try writer.beginMember(name: "c.npy") }) else {
            Issue.record("expected misuse after finish")
            return
        }
        #expect(try readAllMembers(path).map(\.0) == ["a.npy"])
    }

    @Test func finishClosesAnOpenMemberAndWritesTheComment() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("c.npz")
        let writer = try ZipArchiveWriter(path: path)
        let sink = try writer.beginMember(name: "x.npy", method: .deflated)
        try [UInt8]([1, 2, 3]).withUnsafeBytes { try sink.write($0) }
        try writer.finish(comment: Array("made by npdrop".utf8))
        let reader = try ZipArchiveReader(path: path)
        #expect(reader.comment == Array("made by npdrop".utf8))
        #expect(try drain(reader.openMember(named: "x.npy")) == [1, 2, 3])
    }

    @Test func writingThroughABorrowedDescriptorTruncatesOldContent() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write([UInt8](repeating: 0xEE, count: 100_000), to: "fd.npz")
        let fd = open(path, O_RDWR)
        #expect(fd >= 0)
        defer { close(fd) }
        let writer = ZipArchiveWriter(descriptor: fd, name: "fd.npz")
        let sink = try writer.beginMember(name: "v.npy")
        try [UInt8]([7, 8, 9]).withUnsafeBytes { try sink.write($0) }
        try writer.finish()
        let bytes = try readFile(path)
        #expect(UInt64(bytes.count) == writer.position)
        #expect(try readAllMembers(path).map(\.1) == [[7, 8, 9]])
    }

    /// More than 65,535 members: zip64 end record and locator, as zipfile writes them.
    @Test func moreThan65535MembersGetZip64EndRecords() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("many.npz")
        let count = 65_537
        let writer = try ZipArchiveWriter(path: path)
        for i in 0..<count {
            _ = try writer.beginMember(name: "e\(i)")
            try writer.finishMember()
        }
        try writer.finish()
        let bytes = try readFile(path)
        #expect(bytes.offsets(ofSignature: 0x0606_4b50).count == 1)
        #expect(bytes.readLE16(at: bytes.count - 22 + 10) == 0xFFFF)
        var limits = ZipLimits.default
        limits.maxEntries = 70_000
        let reader = try ZipArchiveReader(path: path, limits: limits)
        #expect(reader.entries.count == count)
        #expect(reader.entries.last?.name == "e65536")
        #expect(
            expectZipError(in: path) { _ = try ZipArchiveReader(path: path) }
                == .tooManyEntries(count: 65_537, limit: 65_536))

        if Python.isAvailable {
            let script = """
                import sys, zipfile
                with zipfile.ZipFile(sys.argv[2], "w") as zf:
                    for i in range(int(sys.argv[1])):
                        with zf.open("e%d" % i, "w", force_zip64=True):
                            pass
                """
            let pythonPath = dir.path("python.npz")
            let result = try Python.run(script, [String(count), pythonPath])
            #expect(result.status == 0, "\(result.err)")
            #expect(try readFile(pythonPath) == bytes)
        }
    }
}

/// Checks against live Python: np.load reads what we write, `python3 -m zipfile -t` passes, and
/// np.savez / np.savez_compressed of fresh arrays give the bytes our writer gives for their members.
@Suite(.enabled(if: Python.isAvailable)) struct WriterLivePythonTests {
    @Test func numpyLoadsOurArchivesAndZipfileTestPasses() throws {
        let dir = try TemporaryDirectory()
        // Real .npy members: let NumPy make them, then write them with our writer.
        let source = dir.path("source.npz")
        let made = try Python.run(
            "import numpy as np, sys; np.savez(sys.argv[1], a=np.arange(100000, dtype='<f8').reshape(1000, 100), "
                + "b=np.array([[1, 2], [3, 4]], dtype='>i2', order='F'), c=np.zeros(0, dtype='u1'))", [source])
        #expect(made.status == 0, "\(made.err)")
        let members = try readAllMembers(source)
        for (name, method) in [
            ("stored.npz", ZipWriteMethod.stored), ("deflated.npz", .deflated), ("fast.npz", .deflated(level: 1)),
        ] {
            let path = dir.path(name)
            try writeArchive(path, members, method: method, chunk: 10_000, comment: Array("npdrop".utf8))
            let test = try Python.runModule(["-m", "zipfile", "-t", path])
            #expect(test.status == 0, "\(name): \(test.err)")
            #expect(test.out.contains("Done testing"), "\(name): \(test.out)")
            let check = try Python.run(
                """
                import numpy as np, sys
                with np.load(sys.argv[1]) as z, np.load(sys.argv[2]) as w:
                    assert z.files == w.files == ['a', 'b', 'c'], z.files
                    for k in z.files:
                        assert z[k].dtype == w[k].dtype and z[k].shape == w[k].shape, k
                        assert np.array_equal(z[k], w[k]), k
                    assert np.isfortran(z['b'])
                print('ok')
                """, [path, source])
            #expect(check.status == 0 && check.out.contains("ok"), "\(name): \(check.err)")
        }
    }

    @Test(arguments: [false, true])
    func freshSavezOutputIsByteIdentical(compressed: Bool) throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("numpy.npz")
        let function = compressed ? "savez_compressed" : "savez"
        let made = try Python.run(
            """
            import numpy as np, sys
            rng = np.random.default_rng(5)
            np.\(function)(sys.argv[1], rng.standard_normal((700, 900)).astype('<f4'),
                           counts=np.repeat(np.arange(50000, dtype='<i8'), 8), mask=rng.random(12345) < 0.2,
                           **{'nested/name': np.eye(3)})
            """, [path])
        #expect(made.status == 0, "\(made.err)")
        let original = try readFile(path)
        let members = try readAllMembers(path)
        #expect(members.map(\.0) == ["counts.npy", "mask.npy", "nested/name.npy", "arr_0.npy"])
        let ours = dir.path("ours.npz")
        try writeArchive(ours, members, method: compressed ? .deflated : .stored, chunk: 1 << 20)
        let written = try readFile(ours)
        #expect(written.count == original.count)
        #expect(written == original, "first difference at \(firstDifference(written, original))")
    }
}

func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
    zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
}
