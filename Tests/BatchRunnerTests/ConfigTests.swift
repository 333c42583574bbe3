@testable import BatchRunner
import DropoutEngine
import Foundation
import Testing

@Suite struct ConfigTests {
    static let example = """
    {
      "variant": "dropout", "rate": 0.1, "data_format": "channels_last",
      "seed": 18446744073709551615, "copies": 2, "members": "x,y.npy", "no_masks": false,
      "compress": true, "jobs": 3,
      "rules": [
        { "match": "images/**/*.npz", "member": "x", "variant": "spatial2d", "rate": 0.3, "noise_shape": null },
        { "match": "images/**", "rate": 0.2, "noise_shape": [null, 1, null] },
        { "match": "**/*.npy", "noise_shape": "None,1", "fill": -1 }
      ]
    }
    """

    /// `single_stream_deflate` in the config (or `--single-stream-deflate`) turns block deflate off;
    /// by default deflated members use 1 MiB blocks; with `store` it is a usage error.
    @Test func singleStreamDeflateFromConfigOrCommandLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npdrop-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func options(config: String?, flag: Bool = false, store: Bool = false) throws -> RunOptions {
            var arguments = RunArguments(input: "in", output: "out")
            arguments.rate = 0.5
            arguments.singleStreamDeflate = flag
            arguments.store = store
            if let config {
                let path = directory.appendingPathComponent("\(UUID().uuidString).json").path
                try Data(config.utf8).write(to: URL(fileURLWithPath: path))
                arguments.config = path
            }
            return try RunOptions(arguments: arguments, environment: [:])
        }
        #expect(try options(config: nil).deflateBlockSize == 1 << 20)
        #expect(try options(config: nil, flag: true).deflateBlockSize == nil)
        #expect(try options(config: #"{"single_stream_deflate": true}"#).deflateBlockSize == nil)
        #expect(try options(config: #"{"single_stream_deflate": false}"#).deflateBlockSize == 1 << 20)
        #expect(throws: RunnerError.self) { try options(config: #"{"single_stream_deflate": true}"#, store: true) }
        #expect(throws: RunnerError.self) { try options(config: #"{"single_stream_deflate": "yes"}"#) }
    }

    /// Every spelling of an open entry, with or without brackets, gives the same spec.
    @Test func noiseShapeSpellings() throws {
        let expected = try NoiseSpec(dims: [nil, 1, nil], origin: "test")
        for text in ["None,1,None", "(None, 1, None)", "[null, 1, null]", "(null, 1, none)", "null,1,None,"] {
            #expect(try NoiseSpec(parsing: text, origin: "test") == expected, "\(text)")
        }
        #expect(throws: RunnerError.self) { try NoiseSpec(parsing: "None,0", origin: "test") }
        #expect(throws: RunnerError.self) { try NoiseSpec(parsing: "Nil,1", origin: "test") }
    }

    @Test func parsesEveryOption() throws {
        let config = try RunConfig(json: Array(ConfigTests.example.utf8), origin: "c.json")
        #expect(config.seed == UInt64.max)
        #expect(config.copies == 2)
        #expect(config.members == ["x", "y.npy"])
        #expect(config.compression == .deflate)
        #expect(config.jobs == 3)
        #expect(config.dropout.rate == 0.1)
        #expect(config.rules.count == 3)
        #expect(config.rules[0].overrides.variant == .spatial2d)
        #expect(config.rules[0].overrides.noiseShape == .some(nil))
        #expect(config.rules[1].overrides.noiseShape == .some(try NoiseSpec(dims: [nil, 1, nil], origin: "test")))
        #expect(config.rules[2].overrides.fill == .some(try FillValue(parsing: "-1")))
        #expect(config.rules[2].overrides.variant == nil)
    }

    @Test func refusesUnknownKeysAndBadValues() {
        let bad: [(String, String)] = [
            (#"{"rate": 0.1, "ratee": 0.2}"#, "unknown key 'ratee'"),
            (#"{"rules": [{"rate": 0.2}]}"#, "rules[0]: missing key 'match'"),
            (#"{"rules": [{"match": "*", "seeds": 1}]}"#, "rules[0]: unknown key 'seeds'"),
            (#"{"rate": 1.5}"#, "rate must be in [0, 1]"),
            (#"{"variant": "spatial4d"}"#, "variant must be"),
            (#"{"noise_shape": "None,0"}"#, "noise_shape"),
            (#"{"compress": true, "store": true}"#, "pick one"),
            (#"{"rate": "x"}"#, "rate"),
            (#"{"rules": [{"match": "[a"}]}"#, "no closing ']'"),
            ("{not json", "not valid JSON"),
        ]
        for (json, fragment) in bad {
            do {
                _ = try RunConfig(json: Array(json.utf8), origin: "c.json")
                Issue.record("accepted \(json)")
            } catch let error as RunnerError {
                #expect(error.exitCode == 2)
                #expect(error.description.hasPrefix("config 'c.json': "), "\(error)")
                #expect(error.description.contains(fragment), "\(json) → \(error)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    /// The documented precedence: built-in < config top level < command line; rules replace
    /// the fields they name for matching arrays, except fields given on the command line.
    @Test func precedenceOfDefaultsRulesAndFlags() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let path = scratch.write("c.json", text: """
        { "rate": 0.1, "variant": "dropout", "data_format": "channels_first",
          "rules": [
            { "match": "images/**", "member": "x", "variant": "spatial2d", "rate": 0.3 },
            { "match": "images/**", "rate": 0.2 },
            { "match": "audio/*.npy", "variant": "spatial1d", "noise_shape": "None,1,None" }
          ] }
        """)
        var arguments = RunArguments(input: "in", output: "out")
        arguments.config = path
        arguments.seed = "5"
        var options = try RunOptions(arguments: arguments, environment: [:])
        let settings = options.settings
        // No rule: config top level.
        #expect(settings.settings(relativePath: "other.npy", member: nil)
                == DropoutSettings(rate: 0.1, dataFormat: .channelsFirst))
        // First matching rule wins; member glob with or without .npy.
        #expect(settings.settings(relativePath: "images/a.npz", member: "x.npy")
                == DropoutSettings(variant: .spatial2d, rate: 0.3, dataFormat: .channelsFirst))
        #expect(settings.settings(relativePath: "images/a.npz", member: "y.npy")
                == DropoutSettings(rate: 0.2, dataFormat: .channelsFirst))
        // A rule with a member glob never applies to a plain .npy.
        #expect(settings.settings(relativePath: "images/x.npy", member: nil).rate == 0.2)
        #expect(settings.settings(relativePath: "audio/s.npy", member: nil)
                == DropoutSettings(variant: .spatial1d, rate: 0.1, noiseShape: try NoiseSpec(parsing: "None,1,None", origin: "test"),
                                   dataFormat: .channelsFirst))

        // Explicit command-line flags beat the config top level AND the rules.
        arguments.rate = 0.5
        arguments.dataFormat = "channels_last"
        options = try RunOptions(arguments: arguments, environment: [:])
        #expect(options.settings.pinned == [.rate, .dataFormat])
        #expect(options.settings.settings(relativePath: "other.npy", member: nil) == DropoutSettings(rate: 0.5))
        #expect(options.settings.settings(relativePath: "images/a.npz", member: "x.npy")
                == DropoutSettings(variant: .spatial2d, rate: 0.5))
    }

    @Test func optionChecks() throws {
        var arguments = RunArguments(input: "in", output: "out")
        #expect(throws: RunnerError.usage("--rate is required (on the command line or as \"rate\" in the config file)")) {
            try RunOptions(arguments: arguments, environment: [:])
        }
        arguments.rate = 0.5
        arguments.seed = "18446744073709551615"
        arguments.members = "a, b.npy"
        arguments.noiseShape = "(None, 1, None)"
        arguments.fill = "-3"
        arguments.store = true
        arguments.noMasks = true
        let options = try RunOptions(arguments: arguments, environment: [:])
        #expect(options.seed == UInt64.max)
        #expect(options.members.names == ["a", "b"])
        #expect(options.members.selects(entry: "b.npy"))
        #expect(!options.members.selects(entry: "c.npy"))
        #expect(options.settings.defaults.noiseShape?.description == "None,1,None")
        #expect(options.settings.defaults.fill?.text == "-3")
        #expect(options.compression == .store)
        #expect(!options.writeMasks)

        for mutate in [
            { (a: inout RunArguments) in a.seed = "18446744073709551616" },
            { (a: inout RunArguments) in a.seed = "-1" },
            { (a: inout RunArguments) in a.compress = true },
            { (a: inout RunArguments) in a.copies = 0 },
            { (a: inout RunArguments) in a.jobs = 0 },
            { (a: inout RunArguments) in a.rate = 1; a.variant = "alpha" },
            { (a: inout RunArguments) in a.rate = .nan },
            { (a: inout RunArguments) in a.fill = "one" },
            { (a: inout RunArguments) in a.members = " , " },
            { (a: inout RunArguments) in a.dataFormat = "NHWC" },
            { (a: inout RunArguments) in a.config = "/nonexistent/c.json" },
        ] {
            var copy = arguments
            mutate(&copy)
            #expect(throws: RunnerError.self) { try RunOptions(arguments: copy, environment: [:]) }
        }
    }
}
