import DropoutEngine
import NPZContainer

/// One input file for one copy, with everything its outputs depend on.
public struct FileTask: Sendable {
    enum ActionSource: Sendable {
        case rules(ArraySettingsResolver, MemberSelection)
        /// (member, action) pairs read from manifest records; other members are copied.
        case recorded([(member: String?, action: ArrayAction)])
    }

    /// The input file.
    public let input: InputFile
    /// Augmentation copy index, 0-based (first element of the spawn key).
    public let copy: Int
    /// The run seed.
    public let seed: UInt64
    /// How output npz members are stored.
    public let compression: NPZCompression
    /// zlib level for deflated output npz members; nil for zlib's default.
    public let compressionLevel: Int?
    /// Block size of block-deflated output npz members; nil for one deflate stream per member.
    public let deflateBlockSize: Int?
    /// The library deflating the blocks (after the known-answer check).
    public let deflateEngine: DeflateEngine
    /// True when ISA-L was asked for but failed its known-answer check, so zlib blocks are written.
    public let isalCheckFailed: Bool
    /// Output path relative to OUT (e.g. `data/a/x.npz`, `copy-1/data/a/x.npz`).
    public let outputPath: String
    /// Mask path relative to OUT, or nil with `--no-masks`.
    public let maskPath: String?
    /// How the runner would like large files split.
    public let segmentHint: SegmentHint
    let actions: ActionSource
    /// `--rng`: the stream every processed array of this task follows.
    public var rng: RandomStreamKind = .npdrop
    /// Keras streams: the layer call this task's arrays are (`--keras-call K` plus the file's
    /// position in the work list, see `BatchRun`); every member of an `.npz` shares it.
    public var kerasCall: UInt32 = 0
    /// Keras streams: reproduce the layer (float inputs cast to float32) rather than the op.
    public var kerasLayer = false
    /// How this task's masks are written (bools, or packed 8 flags a byte).
    public var maskFormat = MaskFormat.bool

    init(
        input: InputFile, copy: Int, seed: UInt64, compression: NPZCompression, compressionLevel: Int?,
        deflateBlockSize: Int?, deflateEngine: DeflateEngine = .isal, isalCheckFailed: Bool = false,
        outputPath: String, maskPath: String?, segmentHint: SegmentHint, actions: ActionSource
    ) {
        self.input = input
        self.copy = copy
        self.seed = seed
        self.compression = compression
        self.compressionLevel = compressionLevel
        self.deflateBlockSize = deflateBlockSize
        self.deflateEngine = deflateEngine
        self.isalCheckFailed = isalCheckFailed
        self.outputPath = outputPath
        self.maskPath = maskPath
        self.segmentHint = segmentHint
        self.actions = actions
    }

    /// A task driven by settings rules, for testing a processor outside a run.
    public init(
        input: InputFile, copy: Int = 0, seed: UInt64, settings: ArraySettingsResolver,
        members: MemberSelection = .all, compression: NPZCompression = .input, compressionLevel: Int? = nil,
        deflateBlockSize: Int? = ParallelDeflateOptions.defaultBlockSize, deflateEngine: DeflateEngine = .isal,
        outputPath: String, maskPath: String?,
        segmentHint: SegmentHint = SegmentHint(preferredSegmentBytes: RunOptions.defaultSegmentBytes, workers: 1)
    ) {
        self.init(
            input: input, copy: copy, seed: seed, compression: compression, compressionLevel: compressionLevel,
            deflateBlockSize: deflateBlockSize, deflateEngine: deflateEngine,
            outputPath: outputPath, maskPath: maskPath, segmentHint: segmentHint, actions: .rules(settings, members))
    }

    /// The engine's options for an array processed with `settings`: the settings, the seed and
    /// this task's stream. Throws `DropoutError` for a combination no array can take.
    func engineOptions(_ settings: DropoutSettings) throws -> DropoutOptions {
        try settings.engineOptions(
            seed: seed, stream: RandomStreamSettings(rng: rng, kerasCall: kerasCall, kerasLayer: kerasLayer))
    }

    /// How this task's output npz members are encoded.
    public var memberEncoding: MemberEncoding {
        MemberEncoding(
            compression: compression, level: compressionLevel, deflateBlockSize: deflateBlockSize,
            engine: deflateEngine)
    }

    /// The deflate fields of this task's manifest records (all nil for `.npy` inputs): the engine
    /// (nil with `--store`), its level (ISA-L's 1, or the zlib level asked for), and the ISA-L
    /// version with the outcome of its known-answer check when ISA-L was asked for.
    var deflateRecord: (engine: String?, level: Int?, isalVersion: String?, isalCheck: String?) {
        guard input.kind == .npz else { return (nil, nil, nil, nil) }
        let encoding = memberEncoding
        guard compression != .store else { return (nil, compressionLevel, nil, nil) }
        let engine = encoding.effectiveEngine
        let level = engine == .isal ? DeflateEngine.isalLevel : compressionLevel
        let checked = engine == .isal || isalCheckFailed
        return (
            engine.rawValue, level, checked ? DeflateEngine.isalVersion : nil,
            isalCheckFailed ? "failed" : engine == .isal ? "ok" : nil
        )
    }

    /// Whether masks are written for this task.
    public var writesMasks: Bool { maskPath != nil }

    /// What to do with `member` (a zip entry name such as `x.npy`; nil for an `.npy` file).
    public func action(forMember member: String?) -> ArrayAction {
        switch actions {
        case .rules(let resolver, let selection):
            if let member, !selection.selects(entry: member) { return .copy }
            return .process(resolver.settings(relativePath: input.relativePath, member: member))
        case .recorded(let pairs):
            for pair in pairs where FileTask.sameMember(pair.member, member) { return pair.action }
            return .copy
        }
    }

    static func sameMember(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?): return RelativePath.sameBytes(x, y)
        default: return false
        }
    }

    /// The stream key of `member` (contract §3.2): the engine's `ArrayKey` for this array.
    public func arrayKey(forMember member: String?) -> ArrayKey {
        ArrayKey(relpath: input.relativePath, member: member)
    }

    /// The stream key of `member` as text: `relpath`, or `relpath + "\0" + member`.
    public func key(forMember member: String?) -> String {
        String(decoding: arrayKey(forMember: member).bytes, as: UTF8.self)
    }

    /// The NumPy spawn key of `member` for this copy: `(copy, len(b), *words)`.
    public func spawnKey(forMember member: String?) -> [UInt64] {
        arrayKey(forMember: member).spawnKey(copy: copy)
    }
}
