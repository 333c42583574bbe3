import Foundation
import Testing

/// `npdrop inspect --show`: a mask slice drawn as characters, for the README's seed example.
@Suite struct MaskPictureCLITests {
    static let example = CLIRunner.packageRoot.appendingPathComponent("Fixtures/example/seed_example.npy")

    /// Applies the seed example with `options`, writing result and mask into `scratch`.
    private func apply(
        _ options: [String], name: String, in scratch: ScratchDirectory
    ) throws -> (result: String, mask: String) {
        let result = scratch.path("\(name).npy"), mask = scratch.path("\(name).mask.npy")
        let run = try CLIRunner.run(
            ["apply", Self.example.path, result, "--rate", "0.5", "--seed", "42", "--mask", mask] + options)
        #expect(run.status == 0, "\(run.stderr)")
        return (result, mask)
    }

    @Test func theThreePicturesOfTheSeedExample() throws {
        let scratch = try ScratchDirectory("picture")
        let dropout = try apply([], name: "dropout", in: scratch)
        let spatial = try apply(["--variant", "spatial1d"], name: "spatial1d", in: scratch)
        let steps = try apply(["--noise-shape", "None,None,1"], name: "steps", in: scratch)

        let plain = try CLIRunner.run(["inspect", "--show", dropout.mask])
        #expect(plain.status == 0 && plain.stderr == "")
        #expect(
            plain.stdoutText == """
                \(dropout.mask): keep mask (1, 7, 5), slice [0, :, :]: rows are axis 1, columns axis 2; # kept, . dropped
                   0 1 2 3 4
                0  # # . . #
                1  # . . . .
                2  # # . . .
                3  . # . # #
                4  . . . # .
                5  # . . # .
                6  . # . . .

                """)
        // Every cell is the mask's byte (C order): the drawing is the file, not a re-derivation.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dropout.mask)))
        let cells = bytes.suffix(35).map { $0 == 1 ? "#" : "." }
        let drawn = plain.stdoutText.split(separator: "\n").dropFirst(2).map {
            $0.dropFirst(3).split(separator: " ").joined()
        }
        #expect(drawn == stride(from: 0, to: 35, by: 5).map { cells[$0..<($0 + 5)].joined() })

        let columns = try CLIRunner.run(["inspect", "--show", spatial.result, "--mask", spatial.mask])
        #expect(columns.status == 0 && columns.stderr == "")
        #expect(
            columns.stdoutText == """
                \(spatial.mask): keep mask (1, 1, 5) of \(spatial.result) (1, 7, 5), slice [0, :, :]: rows are axis 1, columns axis 2; # kept, . dropped
                   0 1 2 3 4
                \((0..<7).map { "\($0)  # # . . #" }.joined(separator: "\n"))

                """)

        let rows = try CLIRunner.run(["inspect", "--show", steps.result, "--mask", steps.mask, "--slice", "0,:,:"])
        #expect(rows.status == 0 && rows.stderr == "")
        #expect(
            rows.stdoutText == """
                \(steps.mask): keep mask (1, 7, 1) of \(steps.result) (1, 7, 5), slice [0, :, :]: rows are axis 1, columns axis 2; # kept, . dropped
                   0 1 2 3 4
                0  # # # # #
                1  # # # # #
                2  . . . . .
                3  . . . . .
                4  # # # # #
                5  # # # # #
                6  . . . . .

                """)
    }

    /// A result under OUT/data is drawn with its mask from OUT/masks; --slice picks the slice.
    @Test func aRunResultIsDrawnWithItsMaskAndSliceIsChecked() throws {
        let scratch = try ScratchDirectory("picture")
        try scratch.write(try Data(contentsOf: Self.example), to: "in/seed_example.npy")
        let run = try CLIRunner.run([
            "run", scratch.path("in"), "--output", scratch.path("out"), "--rate", "0.5", "--seed", "42",
            "--variant", "spatial1d", "--quiet",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let result = scratch.path("out/data/seed_example.npy"), mask = scratch.path("out/masks/seed_example.npy")
        let shown = try CLIRunner.run(["inspect", "--show", result, "--slice", ":,0,:"])
        #expect(shown.status == 0 && shown.stderr == "")
        #expect(
            shown.stdoutText.hasPrefix(
                "\(mask): keep mask (1, 1, 5) of \(result) (1, 7, 5), slice [:, 0, :]: rows are axis 0, columns axis 2; "
            ))

        let outside = try CLIRunner.run(["inspect", "--show", result, "--slice", "1"])
        #expect(outside.status == 2)
        #expect(outside.stderr == "npdrop: --slice index 1 is out of range for axis 0 of size 1 (shape (1, 7, 5))\n")
        let input = try CLIRunner.run(["inspect", "--show", scratch.path("in/seed_example.npy")])
        #expect(input.status == 2)
        #expect(
            input.stderr
                == "npdrop: \(scratch.path("in/seed_example.npy")) is not a keep mask and has no mask next to it "
                + "(OUT/masks/... for OUT/data/...); give its mask with --mask\n")
        let alone = try CLIRunner.run(["inspect", result, "--slice", "0"])
        #expect(alone.status == 2)
        #expect(alone.stderr == "npdrop: --mask and --slice go with --show\n")
    }
}
