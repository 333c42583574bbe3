import DropoutFiles
import Foundation
import NPDropTestSupport

@testable import BatchRunner

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under the system temp dir, removed by `remove()`.
struct Scratch {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "npdrop-runner-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Removes the whole tree, also paths longer than PATH_MAX (`ScratchTree`).
    func remove() { ScratchTree.remove(path) }

    func sub(_ relative: String) -> String { path + "/" + relative }

    /// Writes `bytes` at `relative`, creating parents.
    @discardableResult
    func write(_ relative: String, _ bytes: [UInt8]) -> String {
        let full = sub(relative)
        try! FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: full, contents: Data(bytes))
        return full
    }

    @discardableResult
    func write(_ relative: String, text: String) -> String { write(relative, Array(text.utf8)) }
}

/// Deterministic test bytes.
func pattern(_ count: Int, seed: UInt8) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &* 7 &+ ($0 >> 8)) }
}

func readBytes(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { Array($0) }
}

/// Every regular file below `root`, relative path → bytes.
func tree(_ root: String) -> [String: [UInt8]] {
    var result: [String: [UInt8]] = [:]
    guard let walker = FileManager.default.enumerator(atPath: root) else { return result }
    while let relative = walker.nextObject() as? String {
        var isDirectory: ObjCBool = false
        let full = root + "/" + relative
        if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
            result[relative] = readBytes(full)
        }
    }
    return result
}

/// Relative paths below `root` whose base name marks a temporary output.
func temporaries(_ root: String) -> [String] {
    tree(root).keys.filter { ($0 as NSString).lastPathComponent.hasPrefix(TempNames.prefix) }.sorted()
}

/// Text written to a test console.
final class Captured: Sendable {
    private let errorText = Locked("")
    private let outputText = Locked("")

    func console(terminal: Bool = false) -> RunConsole {
        RunConsole(
            writeError: { text in self.errorText.withLock { $0 += text } },
            writeOutput: { text in self.outputText.withLock { $0 += text } },
            errorIsTerminal: terminal)
    }

    var error: String { errorText.withLock { $0 } }
    var output: String { outputText.withLock { $0 } }
    var errorLines: [String] { error.split(separator: "\n").map(String.init) }
}

/// Options for a test run with rate 0.25 and a fixed seed.
func testOptions(
    _ input: String, _ output: String, seed: UInt64? = 42, jobs: Int = 2,
    segmentBytes: Int = 4096, rules: [DropoutRule] = [], pinned: Set<DropoutField> = []
) -> RunOptions {
    RunOptions(
        input: input, output: output,
        settings: ArraySettingsResolver(defaults: DropoutSettings(rate: 0.25), rules: rules, pinned: pinned),
        seed: seed, jobs: jobs, quiet: false, segmentBytes: segmentBytes)
}

/// Runs python3 with `script` and returns stdout, or nil when python3 (with numpy when
/// `needsNumpy`) is not available and `NPDROP_LIVE_NUMPY=1` does not make it mandatory.
func python(_ script: String, arguments: [String] = [], needsNumpy: Bool = false) throws -> String? {
    let available = needsNumpy ? LiveNumPy.isAvailable : LivePython.isAvailable
    guard available else { return nil }
    let result = try LivePython.launch(["-c", script] + arguments)
    guard result.status == 0 else { throw PythonFailed(status: result.status) }
    return result.stdoutText
}

struct PythonFailed: Error {
    let status: Int32
}

/// True when `python3` can be started.
let pythonAvailable: Bool = LivePython.isAvailable
