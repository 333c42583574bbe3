import Foundation
import Testing

/// `npdrop run` under each forced random kernel (`NPDROP_RNG_KERNEL`): identical trees, and a
/// bad choice is a one-line usage error.
@Suite struct RunKernelCLITests {
    /// The kernels the binary can be forced to on this machine: scalar always; the vector ones
    /// when `/proc/cpuinfo` lists their instructions.
    static let supportedKernels: [String] = {
        let flags =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("flags") }?
            .split(separator: " ").map(String.init) ?? []
        var kernels = ["scalar"]
        if flags.contains("avx2") { kernels.append("avx2") }
        if ["avx512f", "avx512ifma", "avx512vl", "avx512bw"].allSatisfy(flags.contains) {
            kernels.append("avx512ifma")
        }
        return kernels
    }()

    @Test func everyForcedKernelWritesTheSameTree() throws {
        let input = try ScratchDirectory("in")
        try RunDatasets.mixed(at: input)
        // Full noise in Fortran order (in-step draws of a transposed walk use the noise table)
        // and odd lengths, so chunk tails and table broadcasts are all exercised.
        try input.write(
            NPYBytes.file(descr: "<f4", shape: [3, 1001, 7], data: NPYBytes.float32(count: 3 * 1001 * 7, seed: 11)),
            to: "gen/odd_f4.npy")
        try input.write(
            NPYBytes.file(
                descr: "<f8", shape: [257, 129], fortran: true, data: NPYBytes.bytes(count: 257 * 129 * 8, seed: 12)),
            to: "gen/fortran_f8.npy")
        let config = input.path("../rules-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(atPath: config) }
        try Data(
            #"{"rules": [{"match": "gen/images.npy", "variant": "spatial2d"}, {"match": "gen/odd_f4.npy", "variant": "alpha"}]}"#
                .utf8
        )
        .write(to: URL(fileURLWithPath: config))
        let out = try ScratchDirectory("out")
        let arguments = [
            "--rate", "0.3", "--seed", "1515", "--quiet", "--jobs", "2", "--segment-bytes", "40000",
            "--config", config, "--members", "floats,arr_1",
        ]
        var trees: [String: [String: Data]] = [:]
        for kernel in Self.supportedKernels {
            let result = try CLIRunner.run(
                ["run", input.url.path, "--output", out.path(kernel)] + arguments,
                environment: ["NPDROP_RNG_KERNEL": kernel])
            #expect(result.status == 0, "\(kernel): \(result.stderr)")
            #expect(result.stderr == "", "\(kernel)")
            trees[kernel] = try FileTree.contents(of: out.path(kernel))
        }
        let scalar = try #require(trees["scalar"])
        #expect(scalar.keys.contains("data/gen/big_f4.npy") && scalar.keys.contains("masks/gen/odd_f4.npy"))
        #expect(scalar.count > 30)
        for kernel in Self.supportedKernels.dropFirst() {
            #expect(FileTree.differences(scalar, trees[kernel] ?? [:]) == [], "\(kernel) against scalar")
        }
    }

    @Test func anUnknownKernelIsAUsageErrorOnOneLine() throws {
        let out = try ScratchDirectory("out")
        let result = try CLIRunner.run(
            ["run", CLIRunner.fixtures.path, "--output", out.path("o"), "--rate", "0.5", "--seed", "1"],
            environment: ["NPDROP_RNG_KERNEL": "avx9\nx"])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "npdrop: NPDROP_RNG_KERNEL='avx9\\x0ax' is not a random kernel: expected scalar, avx2 or avx512ifma\n"
        )
        #expect(!FileManager.default.fileExists(atPath: out.path("o")))
    }
}
