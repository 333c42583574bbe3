/// An error that knows which npz member it concerns; a run puts that member in the error record.
public protocol MemberAttributedError: Error {
    /// The zip entry name (e.g. `x.npy`), or nil when the error concerns the whole file.
    var memberName: String? { get }
}
