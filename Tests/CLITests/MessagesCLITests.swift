import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Messages a newcomer meets, word for word through the binary: the noise-shape mismatch, the
/// plurals of the summaries, and exit 2 for every OUT that cannot be used.
@Suite struct MessagesCLITests {
    static let example = CLIRunner.packageRoot.appendingPathComponent("Fixtures/example/seed_example.npy")

    @Test func noiseShapeMismatchNamesTheAxisSizeAndTheEntryFound() throws {
        let result = try CLIRunner.run(["apply", Self.example.path, "-", "--rate", "0.5", "--noise-shape", "2,1,5"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(
            result.stderr == "npdrop: \(Self.example.path): noise shape 2,1,5 does not fit array shape (1, 7, 5): "
                + "axis 0 has size 1; its noise entry must be None or 1, found 2\n")
        let other = try CLIRunner.run([
            "apply", Self.example.path, "-", "--rate", "0.5", "--noise-shape", "None,3,None",
        ])
        #expect(other.status == 1)
        #expect(
            other.stderr == "npdrop: \(Self.example.path): noise shape None,3,None does not fit array shape (1, 7, 5): "
                + "axis 1 has size 7; its noise entry must be None, 1 or 7, found 3\n")
    }

    @Test func summariesCountOneFileAndOneArrayInTheSingular() throws {
        let scratch = try ScratchDirectory("messages")
        try scratch.write(try Data(contentsOf: Self.example), to: "in/seed_example.npy")
        let good = try CLIRunner.run([
            "run", scratch.path("in"), "--output", scratch.path("good"), "--rate", "0.5", "--seed", "42",
        ])
        #expect(good.status == 0)
        let goodLines = good.stderr.split(separator: "\n").map(String.init)
        #expect(
            goodLines.count == 1 && goodLines[0].hasPrefix("npdrop: 1 file, 1 array (1 ok, 0 copied, 0 errors), "),
            "\(good.stderr)")

        let bad = try CLIRunner.run([
            "run", scratch.path("in"), "--output", scratch.path("bad"), "--rate", "0.5", "--seed", "42",
            "--noise-shape", "2,1,5",
        ])
        #expect(bad.status == 1)
        #expect(
            bad.stderr.split(separator: "\n").map(String.init).first
                == "npdrop: error: seed_example.npy: noise shape 2,1,5 does not fit array shape (1, 7, 5): "
                + "axis 0 has size 1; its noise entry must be None or 1, found 2", "\(bad.stderr)")
        #expect(
            bad.stderr.split(separator: "\n").last?.hasPrefix("npdrop: 1 file, 1 array (0 ok, 0 copied, 1 error), ")
                == true,
            "\(bad.stderr)")

        let verify = try CLIRunner.run(["verify", scratch.path("in"), scratch.path("good")])
        #expect(verify.status == 0)
        #expect(verify.stderr.hasPrefix("npdrop: verify: 1 record in 1 file: all match ("), "\(verify.stderr)")
    }

    /// OUT is a file, under a file, or a directory no file can be created in: exit 2, one line,
    /// nothing written.
    @Test func everyUnusableOutIsAUsageError() throws {
        let scratch = try ScratchDirectory("messages")
        try scratch.write(try Data(contentsOf: Self.example), to: "in/seed_example.npy")
        try scratch.write(Data("x".utf8), to: "file")
        let run = ["run", scratch.path("in"), "--rate", "0.5", "--seed", "1", "--output"]

        let file = try CLIRunner.run(run + [scratch.path("file")])
        #expect(file.status == 2)
        #expect(file.stderr == "npdrop: OUT '\(scratch.path("file"))' exists and is not a directory\n")

        let under = try CLIRunner.run(run + [scratch.path("file/out")])
        #expect(under.status == 2)
        #expect(under.stderr == "npdrop: cannot create OUT: '\(scratch.path("file"))': exists and is not a directory\n")

        // A directory npdrop may not write to: one without write permission (not for root, who
        // may write anyway) and, where the machine has it, an empty sysfs folder (no one may
        // create files there). Each is used only when creating a file in it really fails.
        var unusable: [String] = []
        let locked = scratch.path("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
        #expect(chmod(locked, 0o555) == 0)
        defer { chmod(locked, 0o755) }
        unusable.append(locked)
        unusable.append("/sys/kernel/software_nodes")
        var checked = 0
        for directory in unusable {
            let probe = directory + "/probe-\(UUID().uuidString)"
            let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if fd >= 0 {
                close(fd)
                unlink(probe)
                continue
            }
            let reason = String(cString: strerror(errno))
            guard errno != ENOENT else { continue }
            let result = try CLIRunner.run(run + [directory])
            #expect(result.status == 2, "\(directory)")
            #expect(result.stderr == "npdrop: cannot write in OUT '\(directory)': \(reason)\n")
            checked += 1
        }
        if checked == 0 { print("MessagesCLITests: no unwritable directory on this machine; only the file cases ran") }
    }
}
