/// The one table of the manifest record's fields: JSON name, the property it holds and the
/// property's JSON kind, in the order the fields are written. The byte encoder
/// (`encodeLine(into:)`), the strict decoder (`decodeCanonicalLine`) and `Codable` (used for
/// lines not in canonical form) all read this table; a new field is one line here (plus its
/// property).
extension ManifestRecord {
    /// One field of a manifest line.
    public struct Field: Sendable {
        /// The JSON key.
        public let name: String
        /// The property and its JSON kind.
        let value: FieldValue
        /// `"name":`, as written before the value.
        let keyBytes: [UInt8]

        init(_ name: String, _ value: FieldValue) {
            self.name = name
            self.value = value
            keyBytes = Array(("\"" + name + "\":").utf8)
        }
    }

    /// A record property by its Swift type (each kind has one JSON form; `null` for nil).
    enum FieldValue: @unchecked Sendable {
        case string(WritableKeyPath<ManifestRecord, String>)
        case optionalString(WritableKeyPath<ManifestRecord, String?>)
        case int(WritableKeyPath<ManifestRecord, Int>)
        case optionalInt(WritableKeyPath<ManifestRecord, Int?>)
        case optionalInt64(WritableKeyPath<ManifestRecord, Int64?>)
        case optionalUInt32(WritableKeyPath<ManifestRecord, UInt32?>)
        case uint64(WritableKeyPath<ManifestRecord, UInt64>)
        case uint64s(WritableKeyPath<ManifestRecord, [UInt64]>)
        case optionalInts(WritableKeyPath<ManifestRecord, [Int]?>)
        /// `null` also for NaN and infinity, which JSON cannot hold.
        case optionalDouble(WritableKeyPath<ManifestRecord, Double?>)
        case optionalBool(WritableKeyPath<ManifestRecord, Bool?>)
        case status(WritableKeyPath<ManifestRecord, Status>)
    }

    /// Every field, in the order written (contract §4.2, then the fields resume and verify need).
    public static let fields: [Field] = [
        Field("input", .string(\.input)),
        Field("member", .optionalString(\.member)),
        Field("copy", .int(\.copy)),
        Field("output", .optionalString(\.output)),
        Field("mask", .optionalString(\.mask)),
        Field("output_member", .optionalString(\.outputMember)),
        Field("mask_member", .optionalString(\.maskMember)),
        Field("variant", .optionalString(\.variant)),
        Field("rate", .optionalDouble(\.rate)),
        Field("noise_shape", .optionalInts(\.noiseShape)),
        Field("shape", .optionalInts(\.shape)),
        Field("dtype", .optionalString(\.dtype)),
        Field("fortran_order", .optionalBool(\.fortranOrder)),
        Field("seed", .uint64(\.seed)),
        Field("spawn_key", .uint64s(\.spawnKey)),
        Field("status", .status(\.status)),
        Field("error", .optionalString(\.error)),
        Field("noise_shape_spec", .optionalString(\.noiseShapeSpec)),
        Field("data_format", .optionalString(\.dataFormat)),
        Field("scale", .optionalBool(\.scale)),
        Field("fill", .optionalString(\.fill)),
        Field("compression", .optionalString(\.compression)),
        Field("compression_level", .optionalInt(\.compressionLevel)),
        Field("deflate_block_size", .optionalInt(\.deflateBlockSize)),
        Field("rng", .optionalString(\.rng)),
        Field("keras_call", .optionalInt(\.kerasCall)),
        Field("keras_layer", .optionalBool(\.kerasLayer)),
        Field("output_dtype", .optionalString(\.outputDType)),
        Field("deflate_engine", .optionalString(\.deflateEngine)),
        Field("isal_version", .optionalString(\.isalVersion)),
        Field("isal_check", .optionalString(\.isalCheck)),
        Field("npdrop_version", .optionalString(\.npdropVersion)),
        Field("reason", .optionalString(\.reason)),
        Field("input_size", .optionalInt64(\.inputSize)),
        Field("input_mtime_ns", .optionalInt64(\.inputMtimeNs)),
        Field("input_crc32c", .optionalUInt32(\.inputCRC32C)),
        Field("output_size", .optionalInt64(\.outputSize)),
        Field("output_crc32c", .optionalUInt32(\.outputCRC32C)),
        Field("mask_size", .optionalInt64(\.maskSize)),
        Field("mask_crc32c", .optionalUInt32(\.maskCRC32C)),
        Field("mask_format", .optionalString(\.maskFormat)),
    ]

    /// A record every field of which is then set from a line.
    static var blank: ManifestRecord {
        ManifestRecord(
            input: "", member: nil, copy: 0, output: nil, mask: nil, outputMember: nil, maskMember: nil,
            variant: nil, rate: nil, noiseShape: nil, shape: nil, dtype: nil, fortranOrder: nil, seed: 0,
            spawnKey: [], status: .error, error: nil, noiseShapeSpec: nil, dataFormat: nil, scale: nil,
            fill: nil, compression: nil, npdropVersion: nil)
    }
}

/// A field's JSON key as a `CodingKey`.
struct ManifestFieldKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension ManifestRecord {
    /// Decodes any JSON object holding the fields (other key orders, spaces, escapes): absent or
    /// `null` optional fields are nil; `input`, `copy`, `seed`, `spawn_key` and `status` are
    /// required; unknown keys are ignored.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ManifestFieldKey.self)
        var record = ManifestRecord.blank
        for field in ManifestRecord.fields {
            let key = ManifestFieldKey(stringValue: field.name)
            switch field.value {
            case .string(let path): record[keyPath: path] = try c.decode(String.self, forKey: key)
            case .optionalString(let path): record[keyPath: path] = try c.decodeIfPresent(String.self, forKey: key)
            case .int(let path): record[keyPath: path] = try c.decode(Int.self, forKey: key)
            case .optionalInt(let path): record[keyPath: path] = try c.decodeIfPresent(Int.self, forKey: key)
            case .optionalInt64(let path): record[keyPath: path] = try c.decodeIfPresent(Int64.self, forKey: key)
            case .optionalUInt32(let path): record[keyPath: path] = try c.decodeIfPresent(UInt32.self, forKey: key)
            case .uint64(let path): record[keyPath: path] = try c.decode(UInt64.self, forKey: key)
            case .uint64s(let path): record[keyPath: path] = try c.decode([UInt64].self, forKey: key)
            case .optionalInts(let path): record[keyPath: path] = try c.decodeIfPresent([Int].self, forKey: key)
            case .optionalDouble(let path): record[keyPath: path] = try c.decodeIfPresent(Double.self, forKey: key)
            case .optionalBool(let path): record[keyPath: path] = try c.decodeIfPresent(Bool.self, forKey: key)
            case .status(let path): record[keyPath: path] = try c.decode(Status.self, forKey: key)
            }
        }
        self = record
    }

    /// Encodes every field, writing `null` for absent values (same keys as `jsonLine`).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: ManifestFieldKey.self)
        for field in ManifestRecord.fields {
            let key = ManifestFieldKey(stringValue: field.name)
            switch field.value {
            case .string(let path): try c.encode(self[keyPath: path], forKey: key)
            case .optionalString(let path): try c.encode(self[keyPath: path], forKey: key)
            case .int(let path): try c.encode(self[keyPath: path], forKey: key)
            case .optionalInt(let path): try c.encode(self[keyPath: path], forKey: key)
            case .optionalInt64(let path): try c.encode(self[keyPath: path], forKey: key)
            case .optionalUInt32(let path): try c.encode(self[keyPath: path], forKey: key)
            case .uint64(let path): try c.encode(self[keyPath: path], forKey: key)
            case .uint64s(let path): try c.encode(self[keyPath: path], forKey: key)
            case .optionalInts(let path): try c.encode(self[keyPath: path], forKey: key)
            case .optionalDouble(let path): try c.encode(self[keyPath: path], forKey: key)
            case .optionalBool(let path): try c.encode(self[keyPath: path], forKey: key)
            case .status(let path): try c.encode(self[keyPath: path], forKey: key)
            }
        }
    }
}
