import DropoutEngine
import NPZContainer

/// The settings of `npdrop run` as typed values, one layer of them: what the command line or
/// the config file's top level says, nil where it says nothing. The command line and the
/// config file each produce one; `layered(over:)` merges them (the command line wins) and
/// `validate()` is the one check of the result.
public struct RunSettings: Sendable, Hashable {
    /// Dropout settings (variant, rate, noise shape, data format, scale, fill, dtypes).
    public var dropout = DropoutOverrides()
    /// The run seed.
    public var seed: UInt64?
    /// Augmentation copies.
    public var copies: Int?
    /// Worker threads.
    public var jobs: Int?
    /// Which npz members are processed.
    public var members: MemberSelection?
    /// False with `--no-masks`.
    public var writeMasks: Bool?
    /// How output npz members are stored (`--compress`, `--store`).
    public var compression: NPZCompression?
    /// `--compression-level L`: zlib blocks at this level (-1 for zlib's default).
    public var compressionLevel: Int?
    /// `--single-stream-deflate`: each deflated member as one zlib stream.
    public var singleStreamDeflate: Bool?
    /// `--arrays-only`: files that are not `.npy`/`.npz` are left out of OUT.
    public var arraysOnly: Bool?
    /// `--mask-format`.
    public var maskFormat: MaskFormat?
    /// `--rng`.
    public var rng: RandomStreamKind?
    /// `--keras-call K`.
    public var kerasCall: UInt32?
    /// `--keras-layer`.
    public var kerasLayer: Bool?

    /// A layer that says nothing.
    public init() {}

    /// This layer over `base`: every field this layer sets replaces `base`'s (dropout fields one by one).
    public func layered(over base: RunSettings) -> RunSettings {
        var result = base
        func take<T>(_ field: WritableKeyPath<RunSettings, T?>) {
            if let value = self[keyPath: field] { result[keyPath: field] = value }
        }
        func take<T>(_ field: WritableKeyPath<DropoutOverrides, T?>) {
            if let value = dropout[keyPath: field] { result.dropout[keyPath: field] = value }
        }
        take(\DropoutOverrides.variant)
        take(\DropoutOverrides.rate)
        take(\DropoutOverrides.noiseShape)
        take(\DropoutOverrides.dataFormat)
        take(\DropoutOverrides.scale)
        take(\DropoutOverrides.fill)
        take(\DropoutOverrides.dtypes)
        take(\.seed)
        take(\.copies)
        take(\.jobs)
        take(\.members)
        take(\.compression)
        take(\.compressionLevel)
        take(\.maskFormat)
        take(\.rng)
        take(\.kerasCall)
        take(\.kerasLayer)
        take(\.writeMasks)
        take(\.singleStreamDeflate)
        take(\.arraysOnly)
        return result
    }

    /// The dropout defaults of every array (built-in defaults under this layer's dropout fields);
    /// nil when no rate is given.
    public var dropoutDefaults: DropoutSettings? {
        guard let rate = dropout.rate else { return nil }
        return dropout.applied(to: DropoutSettings(rate: rate))
    }

    /// The random stream these settings ask for.
    public var stream: RandomStreamSettings {
        RandomStreamSettings(rng: rng ?? .npdrop, kerasCall: kerasCall ?? 0, kerasLayer: kerasLayer ?? false)
    }

    /// The one check of merged settings, before any work. Throws `.usage` with one message for
    /// the first problem: no rate; a rate outside [0, 1]; a dropout combination no array can take
    /// (`DropoutSettings.validate`: alpha with rate 1, `--fill` or `--no-scale`, Keras streams);
    /// copies outside 1...1000000; jobs outside 1...4096; a compression level outside -1...9, or
    /// a level or `--single-stream-deflate` with `--store`.
    public func validate() throws {
        guard let defaults = dropoutDefaults else {
            throw RunnerError.usage("--rate is required (on the command line or as \"rate\" in the config file)")
        }
        try defaults.validate(seed: seed ?? 0, stream: stream)
        try RunSettings.checkCount(copies, name: "--copies", upTo: 1_000_000)
        try RunSettings.checkCount(jobs, name: "--jobs", upTo: 4096)
        try RunSettings.checkEncoding(
            compression: compression, level: compressionLevel,
            singleStream: singleStreamDeflate == true)
    }

    private static func checkCount(_ value: Int?, name: String, upTo limit: Int) throws {
        guard let value else { return }
        if value < 1 { throw RunnerError.usage("\(name) must be at least 1, found \(value)") }
        if value > limit { throw RunnerError.usage("\(name) must be at most \(limit), found \(value)") }
    }

    /// The one check of how npz members are encoded, for `run`, the config file and `apply`:
    /// the compression level (`MemberEncoding.levelProblem`, naming `--compression-level`), and
    /// neither a level nor a single stream with `--store`. Throws `.usage`.
    public static func checkEncoding(compression: NPZCompression?, level: Int?, singleStream: Bool) throws {
        if let level {
            if let problem = MemberEncoding.levelProblem(level, name: "--compression-level") {
                throw RunnerError.usage(problem)
            }
            if compression == .store { throw RunnerError.usage("--compression-level does not apply with --store") }
        }
        if singleStream && compression == .store {
            throw RunnerError.usage("--single-stream-deflate does not apply with --store")
        }
    }
}
