/// The `.npy` format version (bytes 6 and 7 of a file).
public struct NPYVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: UInt8
    public var minor: UInt8

    public init(_ major: UInt8, _ minor: UInt8) {
        self.major = major
        self.minor = minor
    }

    public static let v1 = NPYVersion(1, 0)
    public static let v2 = NPYVersion(2, 0)
    public static let v3 = NPYVersion(3, 0)

    public static func < (a: NPYVersion, b: NPYVersion) -> Bool {
        (a.major, a.minor) < (b.major, b.minor)
    }

    public var description: String { "\(major).\(minor)" }
}

/// What an `.npy` header says about its array, and where the data starts.
public struct NPYHeader: Sendable, Hashable {
    public var version: NPYVersion
    public var dtype: DType
    public var fortranOrder: Bool
    public var shape: [Int]
    /// Offset of the first data byte from the start of the file (or npz member).
    public var dataOffset: Int

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
