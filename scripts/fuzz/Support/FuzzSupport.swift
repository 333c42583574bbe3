// Helpers shared by every fuzz harness (compiled into each fuzz-<target> executable).

/// The fuzzer's input as an array (empty for a null pointer).
func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Crashes (so libFuzzer saves the input as a crash-* artifact) when an invariant does not hold.
func fuzzRequire(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() {
        fatalError("invariant failed: \(message())", file: file, line: line)
    }
}

/// Every error a user sees must be one non-empty line.
func fuzzRequireOneLine(_ error: any Error, file: StaticString = #fileID, line: UInt = #line) {
    fuzzRequireOneLine(message: String(describing: error), file: file, line: line)
}

/// A message shown to the user must be one non-empty line.
func fuzzRequireOneLine(message text: String, file: StaticString = #fileID, line: UInt = #line) {
    fuzzRequire(!text.isEmpty && !text.contains("\n") && !text.contains("\r"),
                "error message is not one line: \(text)", file: file, line: line)
}

/// Every error about a named file must start with that name.
func fuzzRequireNames(_ error: any Error, _ name: String, file: StaticString = #fileID, line: UInt = #line) {
    fuzzRequireOneLine(error, file: file, line: line)
    let text = String(describing: error)
    fuzzRequire(text.hasPrefix(name + ": "), "error message does not start with '\(name): ': \(text)",
                file: file, line: line)
}
