import Foundation
import Testing

/// `npdrop --version` and the `npdrop_version` every manifest record carries.
@Suite struct VersionCLITests {
    @Test func versionIsPrintedAndRecordedInEveryManifestRecord() throws {
        let version = try CLIRunner.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stderr == "")
        let text = version.stdoutText.trimmingCharacters(in: .newlines)
        #expect(version.stdoutText == text + "\n")
        #expect(text.wholeMatch(of: /[0-9]+\.[0-9]+\.[0-9]+/) != nil, "\(text)")

        let scratch = try ScratchDirectory("version")
        for name in ["le_f4_C_r2.npy", "le_f8_F_r3.npy"] {
            try scratch.write(try Data(contentsOf: CLIRunner.fixtures.appendingPathComponent(name)), to: "in/" + name)
        }
        let run = try CLIRunner.run([
            "run", scratch.path("in"), "--output", scratch.path("out"), "--rate", "0.5",
            "--seed", "3", "--quiet",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let records = try ManifestLines.records(at: scratch.path("out/manifest.jsonl"))
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0["npdrop_version"] as? String == text }, "\(records)")
    }
}
