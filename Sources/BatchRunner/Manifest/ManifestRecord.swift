/// One line of `manifest.jsonl`: one array (an `.npy` file or an npz member) of one copy.
///
/// JSON field names and order (contract §4.2, then the fields resume and verify need):
/// `input, member, copy, output, mask, output_member, mask_member, variant, rate, noise_shape,
/// shape, dtype, fortran_order, seed, spawn_key, status, error, noise_shape_spec, data_format,
/// scale, fill, compression, compression_level, deflate_block_size, rng, keras_call, keras_layer,
/// output_dtype, deflate_engine, isal_version, isal_check, npdrop_version, reason, input_size,
/// input_mtime_ns, input_crc32c, output_size, output_crc32c, mask_size, mask_crc32c, mask_format`. Every field is always
/// present; absent values are `null`. The one list of fields (name, property, JSON kind) is
/// `ManifestRecord.fields`; the line encoder, the strict line decoder and `Codable` all use it.
public struct ManifestRecord: Codable, Sendable, Hashable {
    /// `ok`, `copied` (npz member passed through unchanged) or `error`.
    public enum Status: String, Codable, Sendable, Hashable {
        case ok, copied, error
    }

    /// Input relpath.
    public var input: String
    /// Zip entry name (`x.npy`), null for an `.npy` input.
    public var member: String?
    /// Copy index, 0-based.
    public var copy: Int
    /// Result path relative to OUT; null for an error record.
    public var output: String?
    /// Mask path relative to OUT; null with `--no-masks`, for copied members and errors.
    public var mask: String?
    /// Entry name inside the output npz; null for `.npy`.
    public var outputMember: String?
    /// Entry name inside the mask npz; null for `.npy`, copied members and errors.
    public var maskMember: String?
    /// Variant name; null for copied members.
    public var variant: String?
    /// Drop probability; null for copied members.
    public var rate: Double?
    /// The resolved noise shape (the mask's shape); null for copied members.
    public var noiseShape: [Int]?
    /// Shape of the input array.
    public var shape: [Int]?
    /// Descr string, e.g. `<f4`.
    public var dtype: String?
    /// Memory order of the input array.
    public var fortranOrder: Bool?
    /// The run seed, an integer in [0, 2^64), written exactly.
    public var seed: UInt64
    /// `(copy, len(b), *words)` of contract §3.2.
    public var spawnKey: [UInt64]
    /// `ok`, `copied` or `error`.
    public var status: Status
    /// The one-line error message, only for status `error`.
    public var error: String?
    /// The noise shape as configured (`None,1,None`), null for the variant's preset.
    public var noiseShapeSpec: String?
    /// `channels_last` or `channels_first`.
    public var dataFormat: String?
    /// False with `--no-scale`.
    public var scale: Bool?
    /// `--fill` as written, or null.
    public var fill: String?
    /// Output npz compression option (`input`, `deflate`, `store`); null for `.npy`.
    public var compression: String?
    /// Level of deflated output npz members: ISA-L's 1 with the `isal` engine, else the zlib level
    /// (null for zlib's default); null for `.npy`.
    public var compressionLevel: Int?
    /// Input bytes per independently deflated block of deflated output npz members (pigz-style);
    /// null when each member is one deflate stream, and for `.npy`. Absent in older manifests.
    public var deflateBlockSize: Int?
    /// `npdrop`, `keras-numpy` or `keras-jax` for processed arrays; null otherwise (and in
    /// manifests older than the field, which used `npdrop`).
    public var rng: String?
    /// Keras streams: the layer call index of this array (seed state `[seed, keras_call]`).
    public var kerasCall: Int?
    /// Keras streams: true when the layer was reproduced (floats cast to float32).
    public var kerasLayer: Bool?
    /// Descr of the result for processed arrays (float32 where a Keras stream makes it so).
    public var outputDType: String?
    /// `isal` or `zlib`: the library that deflated output npz members; null for `.npy`, with
    /// `--store`, and in manifests older than ISA-L support (which all used zlib).
    public var deflateEngine: String?
    /// The ISA-L version npdrop was built with, when ISA-L was asked for; else null.
    public var isalVersion: String?
    /// `ok` when ISA-L passed its known-answer check, `failed` when it did not (the run then wrote
    /// zlib blocks); null when ISA-L was not asked for.
    public var isalCheck: String?
    /// The npdrop that wrote the record (`NPDropVersion.current`); null in manifests older than the field.
    public var npdropVersion: String?
    /// Why the array or file was copied unchanged (status `copied`); null otherwise.
    public var reason: String?
    /// Size in bytes of the input file when it was read; null for errors and older manifests.
    public var inputSize: Int64?
    /// Modification time of the input file (nanoseconds since the epoch) when it was read.
    public var inputMtimeNs: Int64?
    /// CRC-32C of the input file's bytes.
    public var inputCRC32C: UInt32?
    /// Size in bytes of the output file (the whole `.npz` for a member).
    public var outputSize: Int64?
    /// CRC-32C of the output file's bytes.
    public var outputCRC32C: UInt32?
    /// Size in bytes of the mask file; null when no mask was written.
    public var maskSize: Int64?
    /// CRC-32C of the mask file's bytes.
    public var maskCRC32C: UInt32?
    /// `bool` or `packbits` for records with a mask (`np.packbits(keep.ravel())`, unpack with
    /// `np.unpackbits(m, count=n).reshape(noise_shape).astype(bool)`); else null, and in older manifests.
    public var maskFormat: String?

    /// The JSON field names, in the order they are written (`ManifestRecord.fields`).
    public static let fieldNames = fields.map(\.name)

    /// A record; see the properties.
    public init(
        input: String, member: String?, copy: Int, output: String?, mask: String?, outputMember: String?,
        maskMember: String?, variant: String?, rate: Double?, noiseShape: [Int]?, shape: [Int]?,
        dtype: String?, fortranOrder: Bool?, seed: UInt64, spawnKey: [UInt64], status: Status,
        error: String?, noiseShapeSpec: String?, dataFormat: String?, scale: Bool?, fill: String?,
        compression: String?, compressionLevel: Int? = nil, deflateBlockSize: Int? = nil,
        deflateEngine: String? = nil, isalVersion: String? = nil, isalCheck: String? = nil,
        npdropVersion: String? = NPDropVersion.current
    ) {
        self.input = input
        self.member = member
        self.copy = copy
        self.output = output
        self.mask = mask
        self.outputMember = outputMember
        self.maskMember = maskMember
        self.variant = variant
        self.rate = rate
        self.noiseShape = noiseShape
        self.shape = shape
        self.dtype = dtype
        self.fortranOrder = fortranOrder
        self.seed = seed
        self.spawnKey = spawnKey
        self.status = status
        self.error = error
        self.noiseShapeSpec = noiseShapeSpec
        self.dataFormat = dataFormat
        self.scale = scale
        self.fill = fill
        self.compression = compression
        self.compressionLevel = compressionLevel
        self.deflateBlockSize = deflateBlockSize
        self.deflateEngine = deflateEngine
        self.isalVersion = isalVersion
        self.isalCheck = isalCheck
        self.npdropVersion = npdropVersion
    }

    /// The canonical JSON text of this record, without newline: fields in `fieldNames` order,
    /// no spaces, the seed as an exact integer literal (`encodeLine(into:)`).
    public var jsonLine: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        encodeLine(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The order of the final manifest: input relpath bytes, then member (null first, then
    /// entry-name bytes), then copy. Python: `key=lambda r: (r["input"].encode(),
    /// r["member"] is not None, (r["member"] or "").encode(), r["copy"])`.
    public static func precedes(_ a: ManifestRecord, _ b: ManifestRecord) -> Bool {
        if !RelativePath.sameBytes(a.input, b.input) { return RelativePath.precedes(a.input, b.input) }
        switch (a.member, b.member) {
        case (nil, .some): return true
        case (.some, nil): return false
        case (let x?, let y?) where !RelativePath.sameBytes(x, y): return RelativePath.precedes(x, y)
        default: return a.copy < b.copy
        }
    }

    /// Identity of a record within a manifest: (input, member, copy) by bytes.
    var key: RecordKey { RecordKey(input: Array(input.utf8), member: member.map { Array($0.utf8) }, copy: copy) }
}

/// (input, member, copy) compared by UTF-8 bytes.
struct RecordKey: Hashable, Sendable {
    let input: [UInt8]
    let member: [UInt8]?
    let copy: Int
}
