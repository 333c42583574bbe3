import DropoutEngine
import NPYFormat
import Testing

/// Reproducers of problems found while fuzzing `npdrop apply` (`scripts/fuzz.sh apply`), at the
/// engine layer.
@Suite struct RegressionTests {
    static let f4 = DType(kind: .float, itemSize: 4, byteOrder: .little)

    static func plan(
        _ shape: [Int], _ options: DropoutOptions, member: String? = nil
    ) throws(FileError) -> ArrayDropoutPlan {
        try ArrayDropoutPlan(
            header: NPYHeaderEncoder.header(dtype: f4, fortranOrder: false, shape: shape),
            key: ArrayKey(string: "x.npy"), options: options, name: "in/x.npy", member: member)
    }

    /// Finding 4: an empty array's noise can be far larger than the array (shape (2**40, 0, 1) with
    /// spatial1d has noise (2**40, 1, 1)); its mask was written in full, ~1 GB per 20 s toward 1 TiB,
    /// from an 84-byte file. Such noise is now refused by the plan, before anything is drawn or written.
    @Test func hugeNoiseOfAnEmptyArrayIsRefused() throws {
        let options = DropoutOptions(variant: .spatial1d, rate: 0.5, seed: 1)
        let error = try #require(throws: FileError.self) { try Self.plan([1 << 40, 0, 1], options) }
        #expect(
            error.description == "in/x.npy: noise shape (1099511627776, 1, 1) has 1099511627776 elements for the "
                + "empty array of shape (1099511627776, 0, 1), more than the limit of 67108864 (the mask would be "
                + "1099511627776 bytes)")
        // Just over the limit, with an explicit noise shape.
        let over = try #require(throws: FileError.self) {
            try Self.plan(
                [(1 << 26) + 1, 0], DropoutOptions(rate: 0.5, noiseSpec: NoiseSpec(parsing: "None,1"), seed: 1))
        }
        guard case .noiseTooLarge(_, _, let count, let limit)? = over.underlying as? DropoutError else {
            Issue.record("expected noiseTooLarge, got \(over)")
            return
        }
        #expect(count == (1 << 26) + 1 && limit == ArrayDropoutPlan.maxEmptyArrayNoiseElements)
    }

    /// Empty arrays with a modest noise keep their mask (noise larger than the array is fine up to the limit).
    @Test func smallNoiseOfAnEmptyArrayIsKept() throws {
        let plan = try Self.plan([3, 0, 5], DropoutOptions(variant: .spatial1d, rate: 0.5, seed: 1))
        #expect(plan.noiseDims == [3, 1, 5])
        #expect(plan.noiseElementCount == 15 && plan.elementCount == 0)
        #expect(plan.maskHeader.shape == [3, 1, 5])
    }

    /// Finding 3 at the engine layer: npz member names (any bytes) are escaped in plan errors.
    @Test func memberNamesAreEscapedInPlanErrors() throws {
        let error = try #require(throws: FileError.self) {
            try Self.plan([2, 3], DropoutOptions(variant: .spatial2d, rate: 0.5, seed: 1), member: "a\nb\u{1B}[2J.npy")
        }
        #expect(!error.description.contains("\n") && !error.description.contains("\u{1B}"))
        #expect(error.description.hasPrefix("in/x.npy: member 'a\\x0ab\\x1b[2J.npy': spatial2d needs an array of rank"))
    }
}
