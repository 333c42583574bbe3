import DropoutEngine
import DropoutFiles
import NPZContainer

/// The work the runner hands to an `ArrayFileProcessor`, and what it expects back.
///
/// Life of one file task (one input file for one copy), driven by the runner:
/// 1. The runner creates empty temporary outputs (`FileOutputs`) next to their final names.
/// 2. `prepare` opens the input, reads headers, may write headers / size the outputs, and says
///    into how many segments the file is split (1 for most files; several for a huge `.npy`,
///    so that several workers share it).
/// 3. `process(segment:)` is called once for every segment `0 ..< segmentCount`, possibly on
///    different threads at the same time. Segments write with `OutputFile.write(_:at:)`
///    (pwrite) at their own offsets; the bytes must not depend on how the file was split.
/// 4. When every segment succeeded, `finish` (on the thread that completed the last segment)
///    completes the outputs and reports every array. The runner then renames the outputs to
///    their final names. When anything threw, `abandon` is called instead and the temporaries
///    are removed.
public protocol ArrayFileProcessor: Sendable {
    /// Per-file state made by `prepare` (parsed headers, open input...). Shared by the
    /// segments of a file, which may run on different threads.
    associatedtype FileState: Sendable
    /// Per-worker scratch (chunk buffers): one per worker thread, never shared.
    associatedtype WorkerState

    /// Makes the scratch of one worker thread; called once per worker.
    func makeWorkerState() -> WorkerState

    /// Opens `task.input` and plans its work; may write into `outputs`. Throws to fail the file
    /// (an `Error` conforming to `MemberAttributedError` names the member in the record).
    func prepare(_ task: FileTask, outputs: FileOutputs, worker: inout WorkerState) throws -> FilePlan<FileState>

    /// Processes segment `segment` of `plan` (0-based), writing at its own offsets. Throws to
    /// fail the whole file.
    func process(segment: Int, of plan: FilePlan<FileState>, task: FileTask, outputs: FileOutputs,
                 worker: inout WorkerState) throws

    /// Completes the outputs once every segment succeeded (an npz's central directory, ...)
    /// and reports each array. An `ArrayOutcome` with status `.failed` fails the whole file.
    func finish(_ plan: FilePlan<FileState>, task: FileTask, outputs: FileOutputs,
                worker: inout WorkerState) throws -> FileOutcome

    /// Releases what `prepare` acquired when the file failed and `finish` will not be called.
    func abandon(_ plan: FilePlan<FileState>, task: FileTask)
}

extension ArrayFileProcessor {
    /// Default: nothing to release (state held in classes is released when dropped).
    public func abandon(_ plan: FilePlan<FileState>, task: FileTask) {}
}

/// One input file found by the walk.
public struct InputFile: Sendable, Hashable {
    /// The container format, from the file name's extension (case-insensitive).
    public enum Kind: String, Sendable, Hashable {
        case npy, npz
        /// Any other regular file: carried over byte for byte, never parsed.
        case other
    }

    /// Path below INPUT with `/` separators (the base name when INPUT is a file).
    public let relativePath: String
    /// Absolute path to open.
    public let absolutePath: String
    /// `.npy` or `.npz`.
    public let kind: Kind
    /// Size when walked.
    public let byteCount: Int64

    /// An input file; see the properties.
    public init(relativePath: String, absolutePath: String, kind: Kind, byteCount: Int64) {
        self.relativePath = relativePath
        self.absolutePath = absolutePath
        self.kind = kind
        self.byteCount = byteCount
    }
}

/// What to do with one array.
public enum ArrayAction: Sendable, Hashable {
    /// Apply dropout with these settings.
    case process(DropoutSettings)
    /// Copy the npz member unchanged (not selected by `--members`); no mask entry.
    case copy
}

/// How the runner would like large files split.
public struct SegmentHint: Sendable, Hashable {
    /// Aim for segments of about this many data bytes; don't split files smaller than this.
    public let preferredSegmentBytes: Int
    /// Worker threads of the run.
    public let workers: Int

    /// A hint; see the properties.
    public init(preferredSegmentBytes: Int, workers: Int) {
        self.preferredSegmentBytes = preferredSegmentBytes
        self.workers = workers
    }
}

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
    /// position in the work list, see `BatchRunner`); every member of an `.npz` shares it.
    public var kerasCall: UInt32 = 0
    /// Keras streams: reproduce the layer (float inputs cast to float32) rather than the op.
    public var kerasLayer = false
    /// How this task's masks are written (bools, or packed 8 flags a byte).
    public var maskFormat = MaskFormat.bool

    init(input: InputFile, copy: Int, seed: UInt64, compression: NPZCompression, compressionLevel: Int?,
         deflateBlockSize: Int?, deflateEngine: DeflateEngine = .isal, isalCheckFailed: Bool = false,
         outputPath: String, maskPath: String?, segmentHint: SegmentHint, actions: ActionSource) {
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
    public init(input: InputFile, copy: Int = 0, seed: UInt64, settings: ArraySettingsResolver,
                members: MemberSelection = .all, compression: NPZCompression = .input, compressionLevel: Int? = nil,
                deflateBlockSize: Int? = ParallelDeflateOptions.defaultBlockSize, deflateEngine: DeflateEngine = .isal,
                outputPath: String, maskPath: String?,
                segmentHint: SegmentHint = SegmentHint(preferredSegmentBytes: RunOptions.defaultSegmentBytes, workers: 1)) {
        self.init(input: input, copy: copy, seed: seed, compression: compression, compressionLevel: compressionLevel,
                  deflateBlockSize: deflateBlockSize, deflateEngine: deflateEngine,
                  outputPath: outputPath, maskPath: maskPath, segmentHint: segmentHint, actions: .rules(settings, members))
    }

    /// The engine's options for an array processed with `settings`: the settings, the seed and
    /// this task's stream. Throws `DropoutError` for a combination no array can take.
    func engineOptions(_ settings: DropoutSettings) throws -> DropoutOptions {
        try settings.engineOptions(seed: seed, stream: RandomStreamSettings(rng: rng, kerasCall: kerasCall, kerasLayer: kerasLayer))
    }

    /// How this task's output npz members are encoded.
    public var memberEncoding: MemberEncoding {
        MemberEncoding(compression: compression, level: compressionLevel, deflateBlockSize: deflateBlockSize,
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
        return (engine.rawValue, level, checked ? DeflateEngine.isalVersion : nil,
                isalCheckFailed ? "failed" : engine == .isal ? "ok" : nil)
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

/// The temporary outputs of one task: committed to their final names after `finish`.
public struct FileOutputs: Sendable {
    /// The result file (`.npy` or `.npz`, like the input).
    public let data: OutputFile
    /// The mask file, or nil with `--no-masks`.
    public let mask: OutputFile?

    /// Outputs; see the properties.
    public init(data: OutputFile, mask: OutputFile?) {
        self.data = data
        self.mask = mask
    }
}

/// The processor's plan for one file: how many segments, and its own state.
public struct FilePlan<State: Sendable>: Sendable {
    /// Number of `process(segment:)` calls, at least 1.
    public var segmentCount: Int
    /// The processor's per-file state.
    public var state: State

    /// A plan; see the properties.
    public init(segmentCount: Int, state: State) {
        self.segmentCount = segmentCount
        self.state = state
    }
}
