import DropoutEngine
import Foundation
import NPZContainer
import Testing

@testable import BatchRunner

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
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "npdrop-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func options(config: String?, flag: Bool = false, store: Bool = false) throws -> RunOptions {
            var arguments = RunRequest(input: "in", output: "out")
            arguments.settings.dropout.rate = 0.5
            arguments.settings.singleStreamDeflate = flag ? true : nil
            arguments.settings.compression = store ? .store : nil
            if let config {
                let path = directory.appendingPathComponent("\(UUID().uuidString).json").path
                try Data(config.utf8).write(to: URL(fileURLWithPath: path))
                arguments.configPath = path
            }
            return try RunOptions(request: arguments, environment: [:])
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
        #expect(config.settings.seed == UInt64.max)
        #expect(config.settings.copies == 2)
        #expect(config.settings.members?.names == ["x", "y"])
        #expect(config.settings.compression == .deflate)
        #expect(config.settings.jobs == 3)
        #expect(config.settings.writeMasks == true)
        #expect(config.settings.dropout.rate == 0.1)
        #expect(config.rules.count == 3)
        #expect(config.rules[0].overrides.variant == .spatial2d)
        #expect(config.rules[0].overrides.noiseShape == .some(nil))
        #expect(config.rules[1].overrides.noiseShape == .some(try NoiseSpec(dims: [nil, 1, nil], origin: "test")))
        #expect(config.rules[2].overrides.fill == .some(FillValue(parsing: "-1")))
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
        let path = scratch.write(
            "c.json",
            text: """
                { "rate": 0.1, "variant": "dropout", "data_format": "channels_first",
                  "rules": [
                    { "match": "images/**", "member": "x", "variant": "spatial2d", "rate": 0.3 },
                    { "match": "images/**", "rate": 0.2 },
                    { "match": "audio/*.npy", "variant": "spatial1d", "noise_shape": "None,1,None" }
                  ] }
                """)
        var arguments = RunRequest(input: "in", output: "out")
        arguments.configPath = path
        arguments.settings.seed = 5
        var options = try RunOptions(request: arguments, environment: [:])
        let settings = options.settings
        // No rule: config top level.
        #expect(
            settings.settings(relativePath: "other.npy", member: nil)
                == DropoutSettings(rate: 0.1, dataFormat: .channelsFirst))
        // First matching rule wins; member glob with or without .npy.
        #expect(
            settings.settings(relativePath: "images/a.npz", member: "x.npy")
                == DropoutSettings(variant: .spatial2d, rate: 0.3, dataFormat: .channelsFirst))
        #expect(
            settings.settings(relativePath: "images/a.npz", member: "y.npy")
                == DropoutSettings(rate: 0.2, dataFormat: .channelsFirst))
        // A rule with a member glob never applies to a plain .npy.
        #expect(settings.settings(relativePath: "images/x.npy", member: nil).rate == 0.2)
        #expect(
            settings.settings(relativePath: "audio/s.npy", member: nil)
                == DropoutSettings(
                    variant: .spatial1d, rate: 0.1, noiseShape: try NoiseSpec(parsing: "None,1,None", origin: "test"),
                    dataFormat: .channelsFirst))

        // Explicit command-line flags beat the config top level AND the rules.
        arguments.settings.dropout.rate = 0.5
        arguments.settings.dropout.dataFormat = .channelsLast
        options = try RunOptions(request: arguments, environment: [:])
        #expect(options.settings.pinned == [.rate, .dataFormat])
        #expect(options.settings.settings(relativePath: "other.npy", member: nil) == DropoutSettings(rate: 0.5))
        #expect(
            options.settings.settings(relativePath: "images/a.npz", member: "x.npy")
                == DropoutSettings(variant: .spatial2d, rate: 0.5))
    }

    @Test func optionChecks() throws {
        var arguments = RunRequest(input: "in", output: "out")
        #expect(throws: RunnerError.usage("--rate is required (on the command line or as \"rate\" in the config file)"))
        {
            try RunOptions(request: arguments, environment: [:])
        }
        arguments.settings.dropout.rate = 0.5
        arguments.settings.seed = UInt64.max
        arguments.settings.members = try MemberSelection(parsing: "a, b.npy")
        arguments.settings.dropout.noiseShape = .some(try NoiseSpec(parsing: "(None, 1, None)", origin: "test"))
        arguments.settings.dropout.fill = .some(FillValue(parsing: "-3"))
        arguments.settings.compression = .store
        arguments.settings.writeMasks = false
        let options = try RunOptions(request: arguments, environment: [:])
        #expect(options.seed == UInt64.max)
        #expect(options.members.names == ["a", "b"])
        #expect(options.members.selects(entry: "b.npy"))
        #expect(!options.members.selects(entry: "c.npy"))
        #expect(options.settings.defaults.noiseShape?.description == "None,1,None")
        #expect(options.settings.defaults.fill?.text == "-3")
        #expect(options.compression == .store)
        #expect(!options.writeMasks)
        #expect(throws: RunnerError.self) { try MemberSelection(parsing: " , ") }

        for mutate in [
            { (a: inout RunRequest) in a.settings.compressionLevel = 1 },  // with --store
            { (a: inout RunRequest) in a.settings.copies = 0 },
            { (a: inout RunRequest) in a.settings.jobs = 0 },
            { (a: inout RunRequest) in
                a.settings.dropout.rate = 1; a.settings.dropout.variant = .alpha
            },
            { (a: inout RunRequest) in a.settings.dropout.rate = .nan },
            { (a: inout RunRequest) in a.configPath = "/nonexistent/c.json" },
            { (a: inout RunRequest) in a.segmentBytes = 0 },
            { (a: inout RunRequest) in
                a.resume = true; a.overwrite = true
            },
        ] {
            var copy = arguments
            mutate(&copy)
            #expect(throws: RunnerError.self) { try RunOptions(request: copy, environment: [:]) }
        }
    }

    /// `RunSettings.validate()`, the one check of merged settings: one message for each problem.
    @Test func validateGivesOneMessageEach() throws {
        var base = RunSettings()
        base.dropout.rate = 0.5
        try base.validate()
        let cases: [(String, (inout RunSettings) -> Void)] = [
            ("--rate is required (on the command line or as \"rate\" in the config file)", { $0.dropout.rate = nil }),
            ("--rate must be in [0, 1], found 1.5", { $0.dropout.rate = 1.5 }),
            ("--rate must be in [0, 1], found nan", { $0.dropout.rate = .nan }),
            (
                "alpha dropout needs rate < 1, found rate 1",
                {
                    $0.dropout.rate = 1; $0.dropout.variant = .alpha
                }
            ),
            (
                "alpha dropout fixes the dropped value; --fill cannot be combined with it",
                {
                    $0.dropout.variant = .alpha; $0.dropout.fill = .some(.signed(1))
                }
            ),
            ("--copies must be at least 1, found 0", { $0.copies = 0 }),
            ("--copies must be at most 1000000, found 1000001", { $0.copies = 1_000_001 }),
            ("--jobs must be at least 1, found 0", { $0.jobs = 0 }),
            ("--jobs must be at most 4096, found 4097", { $0.jobs = 4097 }),
            ("--compression-level must be between -1 and 9, found 12", { $0.compressionLevel = 12 }),
            (
                "--compression-level does not apply with --store",
                {
                    $0.compressionLevel = 6; $0.compression = .store
                }
            ),
            (
                "--single-stream-deflate does not apply with --store",
                {
                    $0.singleStreamDeflate = true; $0.compression = .store
                }
            ),
            (
                "--rng keras-numpy/keras-jax needs a seed in [0, 2^32) (Keras seeds are uint32), found 4294967296",
                {
                    $0.rng = .kerasJAX; $0.seed = 1 << 32
                }
            ),
            ("--keras-call and --keras-layer need --rng keras-numpy or --rng keras-jax", { $0.kerasCall = 3 }),
        ]
        for (message, mutate) in cases {
            var settings = base
            mutate(&settings)
            #expect(throws: RunnerError.usage(message)) { try settings.validate() }
        }
    }

    /// The command line wins over the config file field by field; nil says nothing.
    @Test func layersMergeFieldByField() throws {
        var config = RunSettings()
        config.dropout.rate = 0.1
        config.dropout.variant = .spatial1d
        config.copies = 3
        config.writeMasks = false
        var commandLine = RunSettings()
        commandLine.dropout.rate = 0.5
        commandLine.jobs = 2
        let merged = commandLine.layered(over: config)
        #expect(merged.dropout.rate == 0.5 && merged.dropout.variant == .spatial1d)
        #expect(merged.copies == 3 && merged.jobs == 2 && merged.writeMasks == false)
        #expect(merged.dropoutDefaults == DropoutSettings(variant: .spatial1d, rate: 0.5))
    }

    /// One rate check, one message, wherever the rate comes from.
    @Test func oneRateMessage() throws {
        #expect(DropoutRate.message(1.5) == "rate must be in [0, 1], found 1.5")
        #expect(DropoutError.invalidRate(1.5).description == DropoutRate.message(1.5))
        #expect(throws: RunnerError.usage("top level: rate must be in [0, 1], found 1.5")) {
            try DropoutSettings.checkRate(1.5, name: "rate", origin: "top level")
        }
        #expect(
            MemberEncoding.levelProblem(10, name: "compression_level")
                == "compression_level must be between -1 and 9, found 10")
        #expect(MemberEncoding.levelProblem(-1) == nil && MemberEncoding.levelProblem(9) == nil)
    }

    /// One `FillValue`: equal numbers are equal however written; the manifest keeps the text.
    @Test func fillValuesCompareAsNumbers() throws {
        let thousand = try #require(FillValue(parsing: " 1e3 "))
        #expect(thousand.text == "1e3")
        #expect(thousand == FillValue.signed(1000))
        #expect(Set([thousand, FillValue.signed(1000)]).count == 1)
        #expect(FillValue(parsing: "nan") == FillValue(parsing: "-nan"))
        #expect(FillValue(parsing: "1.5") != FillValue.signed(1))
        #expect(FillValue(parsing: "zero") == nil)
        #expect(FillValue.parsingProblem("zero") == "expected a number (integer, decimal, nan, inf), found 'zero'")
    }
}
