import DropoutEngine

/// The `npdrop run` command line as typed: nil / false for flags not given. The CLI fills this
/// and calls `RunOptions(arguments:environment:)`, which checks and merges it.
public struct RunArguments: Sendable, Hashable {
    /// INPUT (positional).
    public var input: String
    /// `--output OUT`.
    public var output: String
    /// `--variant`.
    public var variant: String?
    /// `--rate`.
    public var rate: Double?
    /// `--noise-shape`, e.g. `None,1,None`.
    public var noiseShape: String?
    /// `--data-format`.
    public var dataFormat: String?
    /// Decimal text, checked to be in [0, 2^64).
    public var seed: String?
    /// `--no-scale`.
    public var noScale = false
    /// `--fill V`, as typed.
    public var fill: String?
    /// `--copies K`.
    public var copies: Int?
    /// `--jobs J`.
    public var jobs: Int?
    /// `I/N`.
    public var shard: String?
    /// N for `JOB_COMPLETION_INDEX` (with Slurm, it must equal `SLURM_ARRAY_TASK_COUNT`).
    public var shardCount: Int?
    /// Comma-separated member names.
    public var members: String?
    /// `--resume`.
    public var resume = false
    /// `--overwrite`.
    public var overwrite = false
    /// `--arrays-only`.
    public var arraysOnly = false
    /// `--dtypes LIST`.
    public var dtypes: String?
    /// `--no-masks`.
    public var noMasks = false
    /// `--compress`.
    public var compress = false
    /// `--store`.
    public var store = false
    /// `--compression-level L` (-1 ... 9) for deflated output npz members.
    public var compressionLevel: Int?
    /// `--single-stream-deflate`: each deflated member as one zlib stream (np.savez_compressed's bytes).
    public var singleStreamDeflate = false
    /// `--sync`: fsync every output before renaming it.
    public var sync = false
    /// `--segment-bytes N`: split `.npy` files into work segments of about N data bytes.
    public var segmentBytes: Int?
    /// `--quiet`.
    public var quiet = false
    /// `--json`.
    public var json = false
    /// Path of a JSON config file.
    public var config: String?
    /// `--rng npdrop|keras-numpy|keras-jax`.
    public var rng: String?
    /// `--keras-call K`.
    public var kerasCall: UInt32?
    /// `--keras-layer`.
    public var kerasLayer = false
    /// `--mask-format bool|packbits`.
    public var maskFormat: String?

    /// Arguments with only the two positional values given.
    public init(input: String, output: String) {
        self.input = input
        self.output = output
    }

    /// Parses a seed: a decimal integer in [0, 2^64); throws `.usage` naming `origin`.
    public static func parseSeed(_ text: String, origin: String = "--seed") throws -> UInt64 {
        guard let value = UInt64(text.trimmingSpaces) else {
            throw RunnerError.usage("\(origin): expected an integer in [0, 2^64), found '\(text)'")
        }
        return value
    }

    /// The dropout settings given on the command line (these win over config rules).
    public func dropoutOverrides() throws -> DropoutOverrides {
        var result = DropoutOverrides()
        if let variant { result.variant = try Variant(parsing: variant, origin: "--variant") }
        if let rate {
            try DropoutSettings.checkRate(rate, origin: "--rate")
            result.rate = rate
        }
        if let noiseShape { result.noiseShape = .some(try NoiseSpec(parsing: noiseShape, origin: "--noise-shape")) }
        if let dataFormat { result.dataFormat = try DataFormat(parsing: dataFormat, origin: "--data-format") }
        if noScale { result.scale = false }
        if let fill { result.fill = .some(try FillValue(parsing: fill)) }
        if let dtypes { result.dtypes = try DTypeSelection(parsing: dtypes) }
        return result
    }
}
