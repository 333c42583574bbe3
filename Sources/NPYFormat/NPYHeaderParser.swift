/// Reads the start of an `.npy` file: magic, version, header length, then the header dict.
///
/// Works over bytes already in memory, in steps a stream reader can follow without reading
/// past the header: `parseVersion` (8 bytes), `parseHeaderLength` (2 or 4 bytes, capped before
/// the caller allocates), `parseHeader` (the header text). `parse` does all three on one buffer.
public enum NPYHeaderParser {
    /// `\x93NUMPY`.
    public static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    /// Magic plus the two version bytes.
    public static let magicAndVersionLength = 8
    /// Longest header text accepted (64 KiB); longer length fields are refused before allocating.
    public static let maxHeaderLength = 65536
    /// Most dimensions a shape may have (NumPy's limit).
    public static let maxDimensions = 64

    /// Size of the little-endian header-length field: 2 bytes for 1.0, 4 for 2.0 and 3.0.
    public static func headerLengthFieldSize(for version: NPYVersion) -> Int {
        version.major == 1 ? 2 : 4
    }

    /// Bytes before the header text: magic, version and length field (10 or 12).
    public static func preambleLength(for version: NPYVersion) -> Int {
        magicAndVersionLength + headerLengthFieldSize(for: version)
    }

    /// Checks the magic and version in the first 8 bytes of `prefix`.
    /// Throws `.badMagic`, `.unsupportedVersion`, or `.truncated(.preamble, ...)` when fewer than
    /// 8 bytes are given and those match the magic so far.
    public static func parseVersion(_ prefix: some Collection<UInt8>) throws -> NPYVersion {
        let head = Array(prefix.prefix(magicAndVersionLength))
        let magicPart = Array(head.prefix(magic.count))
        guard magicPart == Array(magic.prefix(magicPart.count)) else {
            throw NPYFormatError.badMagic(found: magicPart)
        }
        guard head.count == magicAndVersionLength else {
            throw NPYFormatError.truncated(section: .preamble, expected: preambleLength(for: .v1), found: head.count)
        }
        let version = NPYVersion(head[6], head[7])
        guard version == .v1 || version == .v2 || version == .v3 else {
            throw NPYFormatError.unsupportedVersion(major: version.major, minor: version.minor)
        }
        return version
    }

    /// Decodes the little-endian header-length field (`field` holds exactly its 2 or 4 bytes,
    /// or fewer if the input ended) and checks it against `maxHeaderLength`.
    /// Throws `.truncated(.preamble, ...)` for a short field and `.headerTooLong` over the limit.
    public static func parseHeaderLength(_ field: some Collection<UInt8>, version: NPYVersion) throws -> Int {
        let size = headerLengthFieldSize(for: version)
        let bytes = Array(field.prefix(size))
        guard bytes.count == size else {
            throw NPYFormatError.truncated(
                section: .preamble, expected: preambleLength(for: version),
                found: magicAndVersionLength + bytes.count)
        }
        var length = 0
        for (index, byte) in bytes.enumerated() {
            length |= Int(byte) << (8 * index)
        }
        guard length <= maxHeaderLength else {
            throw NPYFormatError.headerTooLong(length: length, limit: maxHeaderLength)
        }
        return length
    }

    /// Parses the header text (the `headerLength` bytes after the preamble) of a file of `version`.
    /// The returned header's `dataOffset` is the preamble length plus `text.count`.
    /// Throws `NPYFormatError` for malformed text, wrong keys, bad values, refused dtypes and
    /// sizes that overflow `Int`.
    public static func parseHeader(_ text: [UInt8], version: NPYVersion) throws -> NPYHeader {
        let (descrValue, orderValue, shapeValue) = try headerValues(text, version: version)
        let dtype = try parseDescr(descrValue, text: text)
        guard case .bool(let fortranOrder) = orderValue.literal else {
            throw NPYFormatError.invalidFortranOrder(found: PythonLiteralParser.displayText(text, orderValue.source))
        }
        let shape = try parseShape(shapeValue, text: text, itemSize: dtype.itemSize)
        _ = try ArraySize.byteCount(shape: shape, itemSize: dtype.itemSize)

        return NPYHeader(
            version: version, dtype: dtype, fortranOrder: fortranOrder, shape: shape,
            dataOffset: preambleLength(for: version) + text.count)
    }

    /// Parses a whole header from `bytes`, which must start at the magic and hold at least the
    /// preamble and header text (any data after it is ignored).
    /// Throws like the step functions, with `.truncated` when `bytes` ends too early.
    public static func parse(_ bytes: [UInt8]) throws -> NPYHeader {
        let version = try parseVersion(bytes)
        let fieldStart = magicAndVersionLength
        let length = try parseHeaderLength(bytes.dropFirst(fieldStart), version: version)
        let textStart = preambleLength(for: version)
        let available = max(0, bytes.count - textStart)
        guard available >= length else {
            throw NPYFormatError.truncated(section: .header, expected: length, found: available)
        }
        return try parseHeader(Array(bytes[textStart..<(textStart + length)]), version: version)
    }

    static let expectedKeys = ["descr", "fortran_order", "shape"]

    /// The values of the three keys of a header dictionary; throws for anything else in the text.
    static func headerValues(
        _ text: [UInt8], version: NPYVersion
    ) throws
        -> (descr: PythonValue, fortranOrder: PythonValue, shape: PythonValue)
    {
        let encoding: HeaderTextEncoding = version == .v3 ? .utf8 : .latin1
        let root = try PythonLiteralParser.parse(text, encoding: encoding)
        guard case .dictionary(let entries) = root.literal else {
            throw NPYFormatError.headerNotADictionary(found: PythonLiteralParser.displayText(text, root.source))
        }

        var values: [String: PythonValue] = [:]
        for entry in entries {
            guard case .string(let key) = entry.key.literal, expectedKeys.contains(key) else {
                throw NPYFormatError.unknownKey(PythonLiteralParser.displayText(text, entry.key.source))
            }
            guard values[key] == nil else { throw NPYFormatError.duplicateKey(key) }
            values[key] = entry.value
        }
        for key in expectedKeys where values[key] == nil {
            throw NPYFormatError.missingKey(key)
        }
        guard let descrValue = values["descr"], let orderValue = values["fortran_order"],
            let shapeValue = values["shape"]
        else {
            throw NPYFormatError.missingKey("descr")
        }
        return (descrValue, orderValue, shapeValue)
    }

    private static func parseDescr(_ value: PythonValue, text: [UInt8]) throws -> DType {
        switch value.literal {
        case .string(let descr):
            return try DType.parse(descr: descr)
        case .list:
            throw NPYFormatError.unsupportedDType(
                descr: PythonLiteralParser.displayText(text, value.source),
                reason: "structured dtype (record fields) is not supported")
        default:
            throw NPYFormatError.unsupportedDType(
                descr: PythonLiteralParser.displayText(text, value.source),
                reason: "descr is not a dtype string")
        }
    }

    static func parseShape(_ value: PythonValue, text: [UInt8], itemSize: Int) throws -> [Int] {
        let display = PythonLiteralParser.displayText(text, value.source)
        guard case .tuple(let items) = value.literal else {
            throw NPYFormatError.invalidShape(found: display)
        }
        guard items.count <= maxDimensions else {
            throw NPYFormatError.tooManyDimensions(count: items.count, limit: maxDimensions)
        }
        var shape: [Int] = []
        shape.reserveCapacity(items.count)
        for item in items {
            switch item.literal {
            case .integer(let dimension) where dimension >= 0:
                shape.append(dimension)
            case .bigInteger(negative: false):
                throw NPYFormatError.sizeOverflow(shape: display, itemSize: itemSize)
            default:
                throw NPYFormatError.invalidShape(found: display)
            }
        }
        return shape
    }
}
