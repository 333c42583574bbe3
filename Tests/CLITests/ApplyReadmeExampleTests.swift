import Foundation
import NPDropTestSupport
import Testing

/// The README's seed example: the printed arrays are what npdrop writes, and the fixture is
/// what `python/make_example.py` writes.
@Suite struct ApplyReadmeExampleTests {
    static let example = CLIRunner.packageRoot.appendingPathComponent("Fixtures/example/seed_example.npy")

    /// The float32 values of an `.npy` written by npdrop (little-endian, C order).
    private func values(_ file: Data) -> [Float] {
        let bytes = [UInt8](file)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let data = bytes.dropFirst(10 + headerLength)
        return stride(from: data.startIndex, to: data.endIndex, by: 4).map { i in
            Float(
                bitPattern: UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3])
                    << 24)
        }
    }

    @Test func printedResultsAreWhatNpdropWrites() throws {
        let expected: [([String], [Float])] = [
            (
                [],
                [
                    0, 2, 0, 0, 8, 10, 0, 0, 0, 0, 20, 22, 0, 0, 0, 0, 32, 0, 36, 38,
                    0, 0, 0, 46, 0, 50, 0, 0, 56, 0, 0, 62, 0, 0, 0,
                ]
            ),
            (
                ["--variant", "spatial1d"],
                [
                    0, 2, 0, 0, 8, 10, 12, 0, 0, 18, 20, 22, 0, 0, 28, 30, 32, 0, 0, 38,
                    40, 42, 0, 0, 48, 50, 52, 0, 0, 58, 60, 62, 0, 0, 68,
                ]
            ),
            (
                ["--noise-shape", "None,None,1"],
                [
                    0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    40, 42, 44, 46, 48, 50, 52, 54, 56, 58, 0, 0, 0, 0, 0,
                ]
            ),
        ]
        for (options, values) in expected {
            let result = try CLIRunner.run(
                ["apply", Self.example.path, "-", "--rate", "0.5", "--seed", "42"] + options)
            #expect(result.status == 0 && result.stderr == "")
            #expect(self.values(result.stdout) == values, "\(options)")
            #expect(self.values(result.stdout).allSatisfy { $0.sign == .plus }, "dropped elements are +0.0")
        }
    }

    @Test(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
    func fixtureIsReproducedByItsScript() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "npdrop-example-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = CLIRunner.packageRoot.appendingPathComponent("python/make_example.py").path
        _ = try LiveNumPy.run(
            "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')",
            arguments: [script, directory.path])
        #expect(
            try Data(contentsOf: directory.appendingPathComponent("seed_example.npy")) == Data(contentsOf: Self.example)
        )
    }
}
