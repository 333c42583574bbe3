/// The `.npy` format version (bytes 6 and 7 of a file).
public struct NPYVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Byte 6 of the file.
    public var major: UInt8
    /// Byte 7 of the file.
    public var minor: UInt8

    /// The version `major.minor`.
    public init(_ major: UInt8, _ minor: UInt8) {
        self.major = major
        self.minor = minor
    }

    /// 1.0: 16-bit header length, latin-1 header.
    public static let v1 = NPYVersion(1, 0)
    /// 2.0: 32-bit header length, latin-1 header.
    public static let v2 = NPYVersion(2, 0)
    /// 3.0: 32-bit header length, UTF-8 header.
    public static let v3 = NPYVersion(3, 0)

    /// Orders by major, then minor.
    public static func < (a: NPYVersion, b: NPYVersion) -> Bool {
        (a.major, a.minor) < (b.major, b.minor)
    }

    public var description: String { "\(major).\(minor)" }
}

/// What an `.npy` header says about its array, and where the data starts.
public struct NPYHeader: Sendable, Hashable {
    /// Format version of the file (bytes 6-7).
    public var version: NPYVersion
    /// Element type from `descr`.
    public var dtype: DType
    /// True when the data is laid out in Fortran (column-major) order.
    public var fortranOrder: Bool
    /// Dimensions; empty for a 0-d array.
    public var shape: [Int]
    /// Offset of the first data byte from the start of the file (or npz member).
    public var dataOffset: Int

    /// A header with the given fields (no checks: `NPYHeaderParser` validates parsed ones).
    public init(version: NPYVersion, dtype: DType, fortranOrder: Bool, shape: [Int], dataOffset: Int) {
        self.version = version
        self.dtype = dtype
        self.fortranOrder = fortranOrder
        self.shape = shape
        self.dataOffset = dataOffset
    }

    /// Number of elements (1 for a 0-d array). Overflow is rejected when the header is parsed.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Number of data bytes that follow the header.
    public var dataByteCount: Int { elementCount * dtype.itemSize }
}
