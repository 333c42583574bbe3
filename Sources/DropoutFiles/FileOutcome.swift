/// What happened to one array of a file.
public struct ArrayOutcome: Sendable, Hashable {
    /// How the array ended.
    public enum Status: Sendable, Hashable {
        /// Dropout applied, result (and mask, if any) written.
        case processed
        /// Copied unchanged (an npz member not selected).
        case copied
        /// Could not be processed: the message names the file, member and problem.
        case failed(String)
    }

    /// Zip entry name of the member (e.g. `x.npy`), nil for an `.npy` file.
    public var member: String?
    /// How the array ended.
    public var status: Status
    /// Shape of the array, when its header could be read.
    public var shape: [Int]?
    /// Descr string (`<f4`), when its header could be read.
    public var dtype: String?
    /// Descr string of the result when dropout was applied (float32 where a Keras stream
    /// makes it so, else `dtype`).
    public var outputDType: String?
    /// True for a Fortran-ordered array, when its header could be read.
    public var fortranOrder: Bool?
    /// The resolved noise shape (the mask's shape), for processed arrays.
    public var noiseShape: [Int]?
    /// Why a copied array (or file) was not transformed (its dtype, or not an array file);
    /// nil otherwise.
    public var reason: String?

    /// An outcome; see the properties.
    public init(
        member: String?, status: Status, shape: [Int]? = nil, dtype: String? = nil,
        fortranOrder: Bool? = nil, noiseShape: [Int]? = nil
    ) {
        self.member = member
        self.status = status
        self.shape = shape
        self.dtype = dtype
        self.fortranOrder = fortranOrder
        self.noiseShape = noiseShape
    }
}

/// What `finish` reports for a file.
public struct FileOutcome: Sendable, Hashable {
    /// One entry per array, in the order the processor met them.
    public var arrays: [ArrayOutcome]
    /// False when no mask was written (e.g. every npz member copied): the mask temporary is
    /// then removed instead of committed.
    public var maskWritten: Bool

    /// An outcome; see the properties.
    public init(arrays: [ArrayOutcome], maskWritten: Bool) {
        self.arrays = arrays
        self.maskWritten = maskWritten
    }
}
