import Foundation

/// Locations the tests read, computed from this file's path.
enum TestPaths {
    /// The package root (…/Tests/NPYStreamTests/Support/TestPaths.swift → three levels up).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = packageRoot.appendingPathComponent("Fixtures/npy")
    static let corpus = packageRoot.appendingPathComponent("Fixtures/third-party")
}

/// A fresh directory under /tmp, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("npdrop-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Rows of a tab-separated manifest with a header line, as dictionaries keyed by column.
func readTSV(_ url: URL) throws -> [[String: String]] {
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
    guard let headerLine = lines.first else { return [] }
    let columns = headerLine.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    return lines.dropFirst().map { line in
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        var row: [String: String] = [:]
        for (index, column) in columns.enumerated() { row[column] = index < fields.count ? fields[index] : "" }
        return row
    }
}

/// `[2,3]` → `[2, 3]`, `[]` → `[]`.
func parseShapeList(_ text: String) -> [Int] {
    text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",").compactMap { Int($0) }
}
