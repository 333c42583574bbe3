import NPYFormat
import Testing

@testable import DropoutEngine

private let f4 = DType(kind: .float, itemSize: 4, byteOrder: .little)
private let i4 = DType(kind: .signedInteger, itemSize: 4, byteOrder: .little)
private let u1 = DType(kind: .unsignedInteger, itemSize: 1, byteOrder: .notApplicable)
private let u8 = DType(kind: .unsignedInteger, itemSize: 8, byteOrder: .big)
private let b1 = DType(kind: .bool, itemSize: 1, byteOrder: .notApplicable)
private let f2 = DType(kind: .float, itemSize: 2, byteOrder: .big)
private let c8 = DType(kind: .complex, itemSize: 8, byteOrder: .little)

private func kernelError(_ body: () throws(DropoutKernelError) -> DropoutKernel) -> DropoutKernelError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

@Test(arguments: [-0.1, 1.5, Double.nan, -Double.infinity])
func kernelRefusesRateOutsideUnitInterval(rate: Double) {
    let error = kernelError { () throws(DropoutKernelError) in try DropoutKernel(dtype: f4, rate: rate) }
    guard case .rateOutOfRange? = error else {
        Issue.record("expected rateOutOfRange, got \(String(describing: error))")
        return
    }
    #expect(error?.description.hasPrefix("rate must be in [0, 1], found ") == true)
}

@Test func kernelRefusesAlphaOutsideRealFloats() {
    for dtype in [i4, u1, b1, c8, DType(kind: .complex, itemSize: 16, byteOrder: .big)] {
        let error = kernelError { () throws(DropoutKernelError) in
            try DropoutKernel(dtype: dtype, mode: .alpha, rate: 0.2)
        }
        #expect(error == .alphaNeedsRealFloat(dtype))
    }
    #expect(
        kernelError { () throws(DropoutKernelError) in try DropoutKernel(dtype: f4, mode: .alpha, rate: 1) }
            == .alphaRateOne)
    #expect(
        kernelError { () throws(DropoutKernelError) in
            try DropoutKernel(dtype: f4, mode: .alpha, rate: 0.2, fill: .signed(1))
        } == .alphaWithFill)
    #expect(
        kernelError { () throws(DropoutKernelError) in
            try DropoutKernel(dtype: f4, mode: .alpha, rate: 0.2, scale: false)
        } == .alphaWithoutScale)
    #expect(
        DropoutKernelError.alphaNeedsRealFloat(c8).description
            == "alpha dropout needs a real float dtype (f2, f4, f8), found <c8")
}

@Test func kernelRefusesUnsupportedDTypes() {
    for dtype in [
        DType(kind: .float, itemSize: 16, byteOrder: .little),
        DType(kind: .signedInteger, itemSize: 3, byteOrder: .little),
        DType(kind: .complex, itemSize: 32, byteOrder: .little), DType(kind: .bool, itemSize: 2, byteOrder: .little),
    ] {
        let error = kernelError { () throws(DropoutKernelError) in try DropoutKernel(dtype: dtype, rate: 0.5) }
        #expect(error == .unsupportedDType(dtype))
    }
}

@Test func kernelRefusesFillValuesTheTypeCannotHold() {
    let refused: [(DType, FillValue, String)] = [
        (u1, .signed(256), "expected an integer in 0...255"),
        (u1, .signed(-1), "expected an integer in 0...255"),
        (u8, .signed(-1), "expected an integer in 0...18446744073709551615"),
        (i4, .real(1.5), "expected an integer in -2147483648...2147483647"),
        (i4, .real(.nan), "expected an integer in -2147483648...2147483647"),
        (i4, .real(.infinity), "expected an integer in -2147483648...2147483647"),
        (i4, .unsigned(UInt64.max), "expected an integer in -2147483648...2147483647"),
        (b1, .signed(2), "expected 0 or 1"),
        (b1, .real(0.5), "expected 0 or 1"),
        (f2, .real(70000), "it overflows to infinity"),
        (f2, .signed(1_000_000), "it overflows to infinity"),
        (f4, .real(1e300), "it overflows to infinity"),
    ]
    for (dtype, fill, reason) in refused {
        let error = kernelError { () throws(DropoutKernelError) in
            try DropoutKernel(dtype: dtype, rate: 0.5, fill: fill)
        }
        // Compared by description: FillValue.real(.nan) is not == to itself.
        #expect(
            error?.description == DropoutKernelError.fillNotRepresentable(fill, dtype, reason: reason).description,
            "\(dtype.descr) fill \(fill)")
    }
    #expect(
        DropoutKernelError.fillNotRepresentable(.signed(256), u1, reason: "expected an integer in 0...255").description
            == "fill value 256 is not representable in dtype |u1: expected an integer in 0...255")
    // Accepted: whole floats for integers, infinities and NaN for floats, rounding for floats.
    let accepted: [(DType, FillValue)] = [
        (i4, .real(-3)), (i4, .real(-0.0)), (b1, .real(1)), (f2, .real(.infinity)),
        (f2, .real(.nan)), (f2, .real(65519)), (u8, .unsigned(UInt64.max)), (c8, .real(0.1)),
    ]
    for (dtype, fill) in accepted {
        #expect(
            kernelError { () throws(DropoutKernelError) in try DropoutKernel(dtype: dtype, rate: 0.5, fill: fill) }
                == nil, "\(dtype.descr) fill \(fill)")
    }
}

@Test func fillValueParsesIntegersExactlyAndOtherNumbersAsFloat64() {
    #expect(FillValue(parsing: "-7") == .signed(-7))
    #expect(FillValue(parsing: "9223372036854775807") == .signed(Int64.max))
    #expect(FillValue(parsing: "18446744073709551615") == .unsigned(UInt64.max))
    #expect(FillValue(parsing: "1.5") == .real(1.5))
    #expect(FillValue(parsing: "-1e3") == .real(-1000))
    #expect(FillValue(parsing: "inf") == .real(.infinity))
    #expect(FillValue(parsing: "-inf") == .real(-.infinity))
    if case .real(let v)? = FillValue(parsing: "nan")?.number {
        #expect(v.isNaN)
    } else {
        Issue.record("nan not parsed")
    }
    #expect(FillValue(parsing: "18446744073709551616") == .real(18446744073709551616.0))
    #expect(FillValue(parsing: "") == nil)
    #expect(FillValue(parsing: "one") == nil)
    #expect(FillValue(parsing: "1,5") == nil)
}

@Test func rateZeroNeverTouchesBytesWhateverTheFlags() throws {
    for dtype in KernelDTypes.all {
        for mode in dtype.kind == .float ? [DropoutMode.standard, .alpha] : [.standard] {
            let kernel = try DropoutKernel(dtype: dtype, mode: mode, rate: 0, fill: mode == .alpha ? nil : .signed(1))
            #expect(kernel.isIdentity && kernel.ignoresKeepFlags)
            var random = KernelSplitMix(seed: 3)
            let count = 37
            let original =
                dtype.kind == .bool
                ? (0..<count).map { _ in UInt8(random.below(2)) } : random.bytes(count * dtype.itemSize)
            var bytes = original
            let keep = (0..<count).map { UInt8($0 % 2) }  // half "dropped": still untouched at rate 0
            bytes.withUnsafeMutableBytes { raw in keep.withUnsafeBufferPointer { kernel.apply(raw, keep: $0) } }
            #expect(bytes == original, "\(dtype.descr) \(mode)")
        }
    }
}

@Test func rateOneDropsEveryElementWhateverTheFlags() throws {
    for dtype in KernelDTypes.all {
        let kernel = try DropoutKernel(dtype: dtype, rate: 1)
        #expect(!kernel.isIdentity && kernel.ignoresKeepFlags)
        var bytes = [UInt8](repeating: dtype.kind == .bool ? 1 : 0x3F, count: 9 * dtype.itemSize)
        let keep = [UInt8](repeating: 1, count: 9)
        bytes.withUnsafeMutableBytes { raw in keep.withUnsafeBufferPointer { kernel.apply(raw, keep: $0) } }
        #expect(bytes.allSatisfy { $0 == 0 }, "\(dtype.descr)")
    }
}

@Test func applyOnAnEmptyChunkDoesNothing() throws {
    let kernel = try DropoutKernel(dtype: f4, rate: 0.5)
    #expect(!kernel.isIdentity && !kernel.ignoresKeepFlags)
    var empty: [UInt8] = []
    empty.withUnsafeMutableBytes { raw in [UInt8]().withUnsafeBufferPointer { kernel.apply(raw, keep: $0) } }
    #expect(empty.isEmpty)
}

@Test func alphaCoefficientsMatchKerasFormula() {
    // Values printed by Python: ((1-r)*(1+r*AP**2))**-0.5 and -a*AP*r for r = 0.3.
    let c = AlphaDropoutCoefficients(rate: 0.3)
    #expect(AlphaDropoutCoefficients.alphaP == -1.7580993408473766)
    #expect(c.a == 0.8609526162463561)
    #expect(c.b == 0.4540920681370629)
}
