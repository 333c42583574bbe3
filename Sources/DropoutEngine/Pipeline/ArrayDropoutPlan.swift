import NPYFormat
import NPYStream

/// How an array's keep flags are produced; chosen once per array by `ArrayDropoutPlan`.
/// Every strategy gives the same flags (those of `rng.random(noise_shape) >= rate`), so the
/// choice never changes an output byte.
public enum KeepStrategy: Sendable, Hashable {
    /// `rate == 0` (every flag 1) or `rate == 1` (every flag 0): no draws at all.
    case constant
    /// Element `i` uses draw `i` (full noise, storage order = C order of the noise): the flags
    /// of elements `[e0, e1)` come from the stream advanced by `e0` — no mask in memory.
    case inStep
    /// All noise flags drawn once into a table (1 byte per noise element, at most
    /// `noiseTableLimit`) and broadcast to each chunk with `BroadcastMap.fillKeep`.
    case noiseTable
    /// Flags generated run by run along the storage walk, jumping the stream to each run's
    /// noise index and stepping it by the run's noise stride — no table, for noise too large
    /// for one (e.g. a big Fortran-order array with full noise).
    case strided
    /// Every flag computed from its noise index (`--rng keras-jax`: threefry is a hash of the
    /// index), run by run along the storage walk; no table.
    case counter
}

/// Everything needed to apply dropout to one array (an `.npy` file or an `.npz` member):
/// resolved noise dims, broadcast map, kernel, keep rule, the array's random stream, and the
/// headers of the result and of the mask. Immutable and `Sendable`: one plan may serve several
/// workers processing disjoint element ranges at once.
public struct ArrayDropoutPlan: Sendable {
    /// Largest noise table drawn up front, in flags (bytes): 64 Mi.
    public static let defaultNoiseTableLimit = 1 << 26
    /// Most noise elements (mask bytes) an empty array may have: 64 Mi. A non-empty array's noise
    /// never has more elements than the array; an empty one's can (shape (2**40, 0, 1) with
    /// spatial1d has noise (2**40, 1, 1)), and its mask must not turn a tiny file into a huge one.
    public static let maxEmptyArrayNoiseElements = 1 << 26

    /// The file name used in messages (`<stdin>` for standard input).
    public let name: String
    /// The npz entry name used in messages and as the result/mask member name, if any.
    public let member: String?
    /// The input array's header.
    public let header: NPYHeader
    /// The array's key (contract §3.2).
    public let key: ArrayKey
    /// Augmentation copy index (first element of the spawn key).
    public let copy: Int
    /// The options the plan was made from.
    public let options: DropoutOptions
    /// The concrete noise shape: the mask's shape.
    public let noiseDims: [Int]
    /// Maps noise flags to storage-order elements.
    public let map: BroadcastMap
    /// The element transform (npdrop's stream; built for every stream to check the dtype).
    public let kernel: DropoutKernel
    /// Keras's element transform, for `--rng keras-numpy|keras-jax` (then used instead of
    /// `kernel`; it may change the dtype to float32).
    public let kerasKernel: KerasKernel?
    /// `random() >= rate` on integers (`random() < 1 - rate` for keras-numpy).
    public let rule: KeepRule
    /// The array's stream at draw 0: `PCG64(SeedSequence(seed, spawn_key))`, or for
    /// keras-numpy `PCG64(SeedSequence([seed, kerasCall]))` (unused for keras-jax).
    public let stream: PCG64
    /// The keep flags of keras-jax.
    public let jaxKeep: JAXBernoulliKeep?
    /// How keep flags are produced.
    public let strategy: KeepStrategy
    /// The header `np.save` writes for the result: same dtype, byte order, order and shape.
    public let outputHeader: NPYHeader
    /// The header of the mask: `|b1`, the noise shape, C order.
    public let maskHeader: NPYHeader
    /// What a header was encoded from.
    struct EncodedHeaderKey: Equatable, Sendable {
        var dtype: DType
        var fortranOrder: Bool
        var shape: [Int]
    }

    /// The headers encoded last (one `.npy` per sample repeats one result and one mask header).
    static let encodedHeaders = RecentResults<EncodedHeaderKey, [UInt8]>(capacity: 8)

    /// `NPYHeaderEncoder.encode`, through `encodedHeaders`.
    static func encodedHeader(dtype: DType, fortranOrder: Bool, shape: [Int]) -> [UInt8] {
        encodedHeaders.value(for: EncodedHeaderKey(dtype: dtype, fortranOrder: fortranOrder, shape: shape)) {
            () throws(Never) -> [UInt8] in
            NPYHeaderEncoder.encode(dtype: dtype, fortranOrder: fortranOrder, shape: shape)
        }
    }

    /// The bytes `np.save` writes before the result's data (`outputHeader.dataOffset` of them).
    public let outputHeaderBytes: [UInt8]
    /// The bytes `np.save` writes before the mask's data (`maskHeader.dataOffset` of them).
    public let maskHeaderBytes: [UInt8]

    let table: NoiseTable?
    /// The flag of a `.constant` strategy.
    let constantFlag: UInt8
    /// Jumps by the innermost walk axis's noise stride, once and four times (`.strided`).
    let strideJump: (one: Affine, four: Affine)
    /// Noise stride of the innermost walk axis.
    let innerNoiseStride: Int

    /// Plans dropout of the array described by `header`, whose stream is keyed by `key` and
    /// `copy`. Resolves the noise dims (explicit spec or preset), checks the kernel for the
    /// dtype, and picks the keep strategy (drawing the noise table when that strategy wins,
    /// at most `noiseTableLimit` flags). Throws a `FileError` at `name` (and `member`) around the
    /// `DropoutError` that says why: rate, rank for a spatial preset, noise spec, dtype, alpha or fill, or
    /// `.noiseTooLarge` for an empty array whose noise exceeds `maxEmptyArrayNoiseElements`.
    public init(
        header: NPYHeader, key: ArrayKey, copy: Int = 0, options: DropoutOptions,
        name: String, member: String? = nil, noiseTableLimit: Int = ArrayDropoutPlan.defaultNoiseTableLimit
    ) throws(FileError) {
        precondition(copy >= 0, "copy index must be non-negative")
        do throws(DropoutError) {
            try options.validate()
            rule = options.rng == .kerasNumPy ? try KeepRule(kerasRate: options.rate) : try KeepRule(rate: options.rate)
            noiseDims = try DropoutEngine.noiseDims(
                variant: options.variant, dataFormat: options.dataFormat, explicit: options.noiseSpec,
                shape: header.shape)
            do throws(DropoutKernelError) {
                map = try BroadcastMap(shape: header.shape, noiseDims: noiseDims, fortranOrder: header.fortranOrder)
                kernel = try DropoutKernel(
                    dtype: header.dtype, mode: options.mode, rate: options.rate, scale: options.scale,
                    fill: options.fill)
            } catch {
                throw .kernel(error)
            }
            kerasKernel =
                options.rng.isKeras
                ? try KerasKernel(dtype: header.dtype, rng: options.rng, layer: options.kerasLayer, rate: options.rate)
                : nil
            guard map.noiseElementCount <= max(map.elementCount, Self.maxEmptyArrayNoiseElements) else {
                throw DropoutError.noiseTooLarge(
                    noiseDims: noiseDims, shape: header.shape, count: map.noiseElementCount,
                    limit: Self.maxEmptyArrayNoiseElements)
            }
            maskHeaderBytes = Self.encodedHeader(dtype: KeepMask.dtype, fortranOrder: false, shape: noiseDims)
            let maskHeader = NPYHeaderEncoder.header(
                encoded: maskHeaderBytes, dtype: KeepMask.dtype, fortranOrder: false, shape: noiseDims)
            let outputDType = kerasKernel?.outputDType ?? header.dtype
            outputHeaderBytes = Self.encodedHeader(
                dtype: outputDType, fortranOrder: header.fortranOrder, shape: header.shape)
            let outputHeader = NPYHeaderEncoder.header(
                encoded: outputHeaderBytes, dtype: outputDType, fortranOrder: header.fortranOrder, shape: header.shape)
            guard !maskHeader.dataOffset.addingReportingOverflow(map.noiseElementCount).overflow,
                !outputHeader.dataOffset.addingReportingOverflow(outputHeader.dataByteCount).overflow
            else {
                throw DropoutError.kernel(.invalidShape(noiseDims))
            }
            self.maskHeader = maskHeader
            self.outputHeader = outputHeader
        } catch {
            throw FileError(path: name, member: member, underlying: error)
        }
        self.name = name
        self.member = member
        self.header = header
        self.key = key
        self.copy = copy
        self.options = options
        switch options.rng {
        case .npdrop:
            stream = key.stream(seed: options.seed, copy: copy)
            jaxKeep = nil
        case .kerasNumPy, .kerasJAX:
            // Keras's seed state [S, call]: default_rng's entropy, or the raw threefry key.
            let seed = UInt32(truncatingIfNeeded: options.seed)
            stream = PCG64(SeedSequence(entropyWords: [seed, options.kerasCall], spawnKey: []))
            jaxKeep =
                options.rng == .kerasJAX
                ? JAXBernoulliKeep(seed: seed, call: options.kerasCall, rate: options.rate) : nil
        }

        let walk = map.walkAxes
        innerNoiseStride = walk.noiseStrides.last ?? 0
        let one = PCG64.jump(by: UInt128(truncatingIfNeeded: innerNoiseStride), inc: stream.inc)
        let four = PCG64.jump(by: UInt128(truncatingIfNeeded: innerNoiseStride) &* 4, inc: stream.inc)
        strideJump = (Affine(mult: one.mult, plus: one.plus), Affine(mult: four.mult, plus: four.plus))

        if kernel.isIdentity || kernel.ignoresKeepFlags {
            // rate 0 keeps everything (random() >= 0), rate 1 nothing (random() < 1).
            strategy = .constant
            constantFlag = kernel.isIdentity ? 1 : 0
            table = nil
        } else if let jaxKeep {
            if !(map.isIdentity && map.noiseElementCount == map.elementCount)
                && map.noiseElementCount <= noiseTableLimit
            {
                strategy = .noiseTable
                table = NoiseTable(count: map.noiseElementCount) { jaxKeep.fill(from: 0, into: $0) }
            } else {
                strategy = .counter
                table = nil
            }
            constantFlag = 0
        } else if map.isIdentity && map.noiseElementCount == map.elementCount {
            strategy = .inStep
            constantFlag = 0
            table = nil
        } else if map.noiseElementCount <= noiseTableLimit {
            strategy = .noiseTable
            constantFlag = 0
            table = NoiseTable(stream: stream, count: map.noiseElementCount, rule: rule)
        } else {
            strategy = .strided
            constantFlag = 0
            table = nil
        }
    }

    /// Elements of the array (1 for a 0-d array).
    public var elementCount: Int { map.elementCount }
    /// Elements of the noise: bytes of mask data, and draws of the stream.
    public var noiseElementCount: Int { map.noiseElementCount }
    /// The NumPy spawn key of the stream: `(copy, len(b), *words)`.
    public var spawnKey: [UInt64] { key.spawnKey(copy: copy) }
    /// True when the mask bytes of elements `[e0, e1)` are exactly their keep flags (noise =
    /// elements, in the same order), so mask data is written in step with the result data.
    public var masksInStep: Bool { map.isIdentity && map.noiseElementCount == map.elementCount }

    /// Size of the whole result file: header plus data.
    public var outputFileSize: Int { outputHeader.dataOffset + outputHeader.dataByteCount }
    /// The result's element type: the input's, except where a Keras stream makes it float32.
    public var outputDType: DType { outputHeader.dtype }
    /// Size of the whole mask file: header plus one byte per noise element.
    public var maskFileSize: Int { maskHeader.dataOffset + noiseElementCount }

    /// The mask bytes that belong with elements `elements`: `[r(e0), r(e1))` with
    /// `r(e) = e * noise / elements` (exact, rounded down), so ranges that partition the
    /// elements partition the mask too, whatever the split. The range of an empty array's
    /// elements (`0..<0`) covers the whole mask (a 0-element array can have mask bytes, e.g.
    /// shape `(0, 3)` with noise `(1, 3)`). Equal to `elements` when `masksInStep`.
    public func maskRange(forElements elements: Range<Int>) -> Range<Int> {
        let n = elementCount
        let m = noiseElementCount
        guard n > 0 else { return 0..<m }
        if m == n { return elements }
        return noiseIndex(elements.lowerBound, n: n, m: m)..<noiseIndex(elements.upperBound, n: n, m: m)
    }

    private func noiseIndex(_ element: Int, n: Int, m: Int) -> Int {
        if element >= n { return m }
        return Int(truncatingIfNeeded: UInt128(element) * UInt128(m) / UInt128(n))
    }
}

/// The map `s -> mult * s + plus` on 128-bit LCG states (a jump of the stream).
struct Affine: Sendable {
    var mult: UInt128
    var plus: UInt128
}
