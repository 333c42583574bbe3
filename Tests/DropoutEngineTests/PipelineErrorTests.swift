import DropoutEngine
import Foundation
import NPYFormat
import NPYStream
import Testing

/// Refusals name the file (and npz member), what was expected and what was found; corrupt
/// data fails in both modes without trapping.
@Suite struct PipelineErrorTests {
    static let f4 = DType(kind: .float, itemSize: 4, byteOrder: .little)

    static func header(_ shape: [Int], dtype: DType = f4, fortran: Bool = false) -> NPYHeader {
        NPYHeaderEncoder.header(dtype: dtype, fortranOrder: fortran, shape: shape)
    }

    static func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    static func planMessage(
        _ header: NPYHeader, _ options: DropoutOptions, name: String = "data/x.npy",
        member: String? = nil
    ) -> String {
        message {
            _ = try ArrayDropoutPlan(
                header: header, key: ArrayKey(string: "x.npy"), options: options, name: name, member: member)
        }
    }

    @Test func wrongRankForASpatialVariantNamesFileShapeAndRanks() {
        #expect(
            Self.planMessage(Self.header([2, 3]), DropoutOptions(variant: .spatial2d, rate: 0.5, seed: 1))
                == "data/x.npy: spatial2d needs an array of rank 4 or 3, got shape (2, 3)")
        #expect(
            Self.planMessage(
                Self.header([2, 3, 4, 5, 6, 7]), DropoutOptions(variant: .spatial3d, rate: 0.5, seed: 1),
                name: "d/a.npz", member: "x.npy")
                == "d/a.npz: member 'x.npy': spatial3d needs an array of rank 5 or 4, got shape (2, 3, 4, 5, 6, 7)")
        #expect(
            Self.planMessage(Self.header([7]), DropoutOptions(variant: .spatial1d, rate: 0.5, seed: 1))
                == "data/x.npy: spatial1d needs an array of rank 3 or 2, got shape (7,)")
    }

    @Test func alphaOnNonFloatsIsRefused() {
        for (kind, size, descr) in [
            (ScalarKind.signedInteger, 4, "<i4"), (.unsignedInteger, 1, "|u1"), (.bool, 1, "|b1"),
            (.complex, 8, "<c8"),
        ] {
            let dtype = DType(kind: kind, itemSize: size, byteOrder: .little)
            #expect(
                Self.planMessage(
                    Self.header([3, 4], dtype: dtype), DropoutOptions(variant: .alpha, rate: 0.2, seed: 1))
                    == "data/x.npy: alpha dropout needs a real float dtype (f2, f4, f8), found \(descr)")
        }
        // Rate 0 changes nothing, but the variant is still refused for the dtype.
        #expect(
            Self.planMessage(
                Self.header([3], dtype: DType(kind: .signedInteger, itemSize: 2, byteOrder: .big)),
                DropoutOptions(variant: .alpha, rate: 0, seed: 1))
                == "data/x.npy: alpha dropout needs a real float dtype (f2, f4, f8), found >i2")
    }

    @Test func noiseSpecAndFillRefusalsNameTheFile() throws {
        let spec = try NoiseSpec(parsing: "None,2")
        #expect(
            Self.planMessage(Self.header([3, 4]), DropoutOptions(rate: 0.5, noiseSpec: spec, seed: 1))
                == "data/x.npy: noise shape None,2 does not fit array shape (3, 4): axis 1 has size 4; its noise entry must be None, 1 or 4, found 2"
        )
        #expect(
            Self.planMessage(Self.header([3, 4, 5]), DropoutOptions(rate: 0.5, noiseSpec: spec, seed: 1))
                == "data/x.npy: noise shape None,2 has rank 2 but the array has shape (3, 4, 5) of rank 3")
        let u1 = DType(kind: .unsignedInteger, itemSize: 1, byteOrder: .notApplicable)
        #expect(
            Self.planMessage(
                Self.header([3], dtype: u1), DropoutOptions(rate: 0.5, seed: 1, fill: FillValue(parsing: "300")),
                name: "a.npz", member: "m.npy")
                == "a.npz: member 'm.npy': fill value 300 is not representable in dtype |u1: expected an integer in 0...255"
        )
        #expect(
            Self.planMessage(Self.header([3]), DropoutOptions(rate: 1.5, seed: 1))
                == "data/x.npy: rate must be in [0, 1], found 1.5")
    }

    @Test func optionChecksThatNeedNoArray() {
        #expect(
            Self.message { try DropoutOptions(rate: -0.1, seed: 0).validate() } == "rate must be in [0, 1], found -0.1")
        #expect(
            Self.message { try DropoutOptions(rate: .nan, seed: 0).validate() } == "rate must be in [0, 1], found nan")
        #expect(
            Self.message { try DropoutOptions(variant: .alpha, rate: 1, seed: 0).validate() }
                == "alpha dropout needs rate < 1, found rate 1")
        #expect(
            Self.message { try DropoutOptions(variant: .alpha, rate: 0.5, seed: 0, scale: false).validate() }
                == "alpha dropout always applies its affine correction; --no-scale cannot be combined with it")
        #expect(
            Self.message { try DropoutOptions(variant: .alpha, rate: 0.5, seed: 0, fill: .signed(1)).validate() }
                == "alpha dropout fixes the dropped value; --fill cannot be combined with it")
        #expect(
            Self.message { try DropoutOptions(variant: .spatial1d, rate: 1, seed: 0, fill: .signed(1)).validate() }
                == "no error")
    }

    /// Truncated data and bad bool bytes, in the sequential and the positioned mode.
    @Test func corruptDataFailsInBothModes() throws {
        let folder = try Reference.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let shape = [6, 10]
        let f4Header = NPYHeaderEncoder.encode(dtype: Self.f4, fortranOrder: false, shape: shape)
        let full = f4Header + [UInt8](repeating: 0x3F, count: 240)
        for cut in [1, 4, 100, 239] {
            let truncated = Array(full.dropLast(cut))
            let header = try PipelineHarness.header(of: truncated)
            for variant in [Variant.dropout, .spatial1d] {
                let plan = try ArrayDropoutPlan(
                    header: header, key: ArrayKey(string: "t"),
                    options: DropoutOptions(variant: variant, rate: 0.5, seed: 1), name: "t.npy")
                let expected = "t.npy: truncated data: expected 240 bytes, found \(240 - cut)"
                #expect(
                    Self.message { _ = try PipelineHarness.runSequential(plan, input: truncated, chunkElements: 7) }
                        == expected)
                var random = TestRandom(seed: UInt64(cut))
                #expect(
                    Self.message {
                        _ = try PipelineHarness.runSegments(
                            plan, input: truncated, in: folder, segments: 1, random: &random)
                    } == expected)
            }
        }
        let b1 = DType(kind: .bool, itemSize: 1, byteOrder: .notApplicable)
        var bools =
            NPYHeaderEncoder.encode(dtype: b1, fortranOrder: false, shape: [50]) + [UInt8](repeating: 1, count: 50)
        bools[bools.count - 13] = 7
        let plan = try ArrayDropoutPlan(
            header: try PipelineHarness.header(of: bools), key: ArrayKey(string: "b"),
            options: DropoutOptions(rate: 0.5, seed: 1), name: "b.npy")
        let expected = "b.npy: invalid bool data: byte 37 of the data is 7, bool bytes must be 0 or 1"
        #expect(
            Self.message { _ = try PipelineHarness.runSequential(plan, input: bools, chunkElements: 5) } == expected)
        var random = TestRandom(seed: 9)
        #expect(
            Self.message {
                _ = try PipelineHarness.runSegments(plan, input: bools, in: folder, segments: 3, random: &random)
            }
                == expected)
    }
}
