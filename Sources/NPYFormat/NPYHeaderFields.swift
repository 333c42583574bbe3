/// The fields of a header read without interpreting its dtype: what `inspect` shows for an array
/// whose dtype npdrop does not transform (object, structured, unicode, ...), which is copied as is.
public struct NPYHeaderFields: Sendable, Hashable {
    /// Format version from bytes 6-7.
    public var version: NPYVersion
    /// The `descr` value as written: the string (`|O`, `<U8`) or, for a structured dtype, the
    /// Python literal text (`[('a', '<i4'), ('b', '<f4')]`, clipped as in error messages).
    public var descr: String
    /// The `fortran_order` value.
    public var fortranOrder: Bool
    /// The `shape` value.
    public var shape: [Int]
    /// Byte offset of the data from the start of the `.npy` bytes.
    public var dataOffset: Int

    public init(version: NPYVersion, descr: String, fortranOrder: Bool, shape: [Int], dataOffset: Int) {
        self.version = version
        self.descr = descr
        self.fortranOrder = fortranOrder
        self.shape = shape
        self.dataOffset = dataOffset
    }
}

extension NPYHeaderParser {
    /// Parses header text like `parseHeader` (same keys, same checks of `fortran_order` and
    /// `shape`) but keeps `descr` as written instead of turning it into a `DType`, so that it
    /// succeeds for every dtype. Throws `NPYFormatError` for a malformed header.
    public static func parseFields(_ text: [UInt8], version: NPYVersion) throws -> NPYHeaderFields {
        let (descrValue, orderValue, shapeValue) = try headerValues(text, version: version)
        let descr: String
        if case .string(let written) = descrValue.literal {
            descr = written
        } else {
            descr = PythonLiteralParser.displayText(text, descrValue.source)
        }
        guard case .bool(let fortranOrder) = orderValue.literal else {
            throw NPYFormatError.invalidFortranOrder(found: PythonLiteralParser.displayText(text, orderValue.source))
        }
        let shape = try parseShape(shapeValue, text: text, itemSize: 1)
        return NPYHeaderFields(
            version: version, descr: descr, fortranOrder: fortranOrder, shape: shape,
            dataOffset: preambleLength(for: version) + text.count)
    }
}
