import Foundation
import NPDropTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Hostile file-system layouts through the real `npdrop run` binary (the runner's own tests use a
/// fake processor): symlinks out of INPUT, names that are not UTF-8, look-alike names, and npz
/// member names that look like paths. Nothing is written outside OUT, nothing is overwritten,
/// failures exit 1 with a line naming the file and leave no output for it.
@Suite struct RunHostilePathsCLITests {
    /// Creates a file or directory whose path is the raw bytes `path`.
    private func make(_ path: [UInt8], directory: Bool = false, contents: Data = Data()) {
        let terminated = path + [0]
        terminated.withUnsafeBytes { raw in
            let name = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            if directory {
                #expect(mkdir(name, 0o755) == 0)
            } else {
                let fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                #expect(fd >= 0)
                contents.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
                close(fd)
            }
        }
    }

    /// Every path below `root`, relative, as raw bytes joined by "/" (not following symlinks).
    private func tree(_ root: String) -> [[UInt8]] {
        var result: [[UInt8]] = []
        func walk(_ directory: [UInt8], _ relative: [UInt8]) {
            guard
                let dir = (directory + [0]).withUnsafeBytes({
                    opendir($0.baseAddress!.assumingMemoryBound(to: CChar.self))
                })
            else { return }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                var nameTuple = entry.pointee.d_name
                let name = withUnsafeBytes(of: &nameTuple) { Array($0.prefix { $0 != 0 }) }
                if name == [0x2E] || name == [0x2E, 0x2E] { continue }
                let path = relative.isEmpty ? name : relative + [0x2F] + name
                result.append(path)
                if entry.pointee.d_type == UInt8(DT_DIR) { walk(directory + [0x2F] + name, path) }
            }
        }
        walk(Array(root.utf8), [])
        return result.sorted { $0.lexicographicallyPrecedes($1) }
    }

    @Test func hostileLayoutsNeverWriteOutsideOutOrOverwrite() throws {
        let scratch = try ScratchDirectory("hostile")
        let sentinel = NPYBytes.file(descr: "<f4", shape: [4], data: NPYBytes.float32(count: 4, seed: 1))
        try scratch.write(sentinel, to: "outside/sentinel.npy")
        try scratch.write(sentinel, to: "outside/dir/inner.npy")
        let outsideBefore = tree(scratch.path("outside"))
        // Regular inputs, including look-alike names that must each get their own output.
        let lookAlikes = ["\u{E9}.npy", "e\u{301}.npy", "x.npy", "x.NPY.npy", "a\nb.npy"]
        for (index, name) in lookAlikes.enumerated() {
            try scratch.write(
                NPYBytes.file(
                    descr: "<f4", shape: [3 + index], data: NPYBytes.float32(count: 3 + index, seed: UInt64(index))),
                to: "in/" + name)
        }
        // Symlinks out of INPUT: not followed.
        #expect(symlink("../outside/sentinel.npy", scratch.path("in/relative.npy")) == 0)
        #expect(symlink(scratch.path("outside/sentinel.npy"), scratch.path("in/absolute.npy")) == 0)
        #expect(symlink("../outside/dir", scratch.path("in/dirlink")) == 0)
        // A name that is not UTF-8: an error for that file alone.
        make(Array(scratch.path("in/bad").utf8) + [0xFF, 0xFE] + Array(".npy".utf8), contents: sentinel)
        // An npz whose member names look like paths: they stay zip entry names.
        let evil = ["../../outside/evil.npy", "/tmp/npdrop-abs.npy", "a/../../../b.npy"]
        _ = try LiveNumPy.run(
            """
            import io, sys, zipfile
            import numpy as np
            b = io.BytesIO(); np.save(b, np.arange(6, dtype=np.float32))
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                for name in sys.argv[2:]:
                    z.writestr(name, b.getvalue())
            """, arguments: [scratch.path("in/z.npz")] + evil)

        let result = try CLIRunner.run([
            "run", scratch.path("in"), "--output", scratch.path("out"), "--rate", "0.5",
            "--seed", "9",
        ])
        #expect(result.status == 1, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(
            lines.contains { $0.contains("not valid UTF-8") && $0.contains("62 61 64 ff fe 2e 6e 70 79") }, "\(lines)")
        for name in ["relative.npy", "absolute.npy", "dirlink"] {
            #expect(lines.contains { $0.contains(name) && $0.contains("symlink") }, "\(name): \(lines)")
        }
        // Outputs: one per look-alike (each its own size), the npz, nothing for the rest.
        let data = tree(scratch.path("out/data")).map { String(decoding: $0, as: UTF8.self) }
        #expect(Set(data) == Set(lookAlikes + ["z.npz"]), "\(data)")
        for (index, name) in lookAlikes.enumerated() {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: scratch.path("out/data/" + name)))
            #expect(bytes.count == 128 + 4 * (3 + index), "\(name)")
        }
        let members = try LiveNumPy.run(
            """
            import sys, zipfile
            print(sorted(zipfile.ZipFile(sys.argv[1]).namelist()))
            """, arguments: [scratch.path("out/data/z.npz")])
        #expect(
            String(decoding: members, as: UTF8.self)
                == "['../../outside/evil.npy', '/tmp/npdrop-abs.npy', 'a/../../../b.npy']\n")
        #expect(tree(scratch.path("outside")) == outsideBefore)
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.path("outside/sentinel.npy"))) == sentinel)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/npdrop-abs.npy"))
        #expect(
            tree(scratch.path("")).allSatisfy {
                !$0.starts(with: Array("b.npy".utf8)) && !$0.starts(with: Array("evil".utf8))
            })
        #expect(FileTree.temporaries(under: scratch.path("out")).isEmpty)
    }
}
