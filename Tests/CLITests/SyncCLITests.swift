import Foundation
import Testing

/// `--sync`: every output `run` writes (results, masks, the manifest) is fsynced before its
/// rename and its directory after it; checked with strace where it is installed and allowed.
@Suite struct SyncCLITests {
    static let strace: String? = ["/usr/bin/strace", "/bin/strace"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(.enabled(if: strace != nil, "strace is not installed"))
    func everyRenameIsFramedByFsyncs() throws {
        let scratch = try ScratchDirectory("sync")
        try scratch.write(
            NPYBytes.file(descr: "<f4", shape: [8], data: NPYBytes.float32(count: 8, seed: 1)), to: "in/a.npy")
        let trace = scratch.path("trace")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.strace!)
        process.arguments = [
            "-f", "-e", "trace=fsync,rename,renameat,renameat2", "-o", trace,
            CLIRunner.executable.path, "run", scratch.path("in"), "--output", scratch.path("out"),
            "--rate", "0.5", "--seed", "1", "--sync",
        ]
        // LeakSanitizer cannot run under ptrace and fails the exit of an ASan build; leaks are
        // checked by every other test of the sanitizer run.
        var environment = ProcessInfo.processInfo.environment
        environment["ASAN_OPTIONS"] = [environment["ASAN_OPTIONS"], "detect_leaks=0"].compactMap { $0 }.joined(
            separator: ":")
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard let text = try? String(contentsOfFile: trace, encoding: .utf8), text.contains("rename") else {
            return  // ptrace not permitted here: nothing to check
        }
        #expect(process.terminationStatus == 0)
        let calls = text.split(separator: "\n").map { line in
            // "PID  call(...)": strace pads the PID column, so trim what follows it.
            line.split(separator: " ", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        }.filter { $0.hasPrefix("fsync") || $0.hasPrefix("rename") }
        let renames = calls.indices.filter { calls[$0].hasPrefix("rename") }
        #expect(renames.count == 3, "data, mask and manifest: \(calls)")
        for index in renames {
            #expect(index > 0 && calls[index - 1].hasPrefix("fsync"), "no fsync before \(calls[index])")
            #expect(index + 1 < calls.count && calls[index + 1].hasPrefix("fsync"), "no fsync after \(calls[index])")
        }
        #expect(calls.contains { $0.contains("manifest.jsonl") })
    }
}
