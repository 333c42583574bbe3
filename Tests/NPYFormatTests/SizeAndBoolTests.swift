import Testing

@testable import NPYFormat

@Suite struct SizeAndBoolTests {
    @Test func checkedSizes() throws {
        #expect(try ArraySize.elementCount(shape: []) == 1)
        #expect(try ArraySize.elementCount(shape: [2, 3, 4]) == 24)
        #expect(try ArraySize.byteCount(shape: [2, 3], itemSize: 16) == 96)
        #expect(try ArraySize.byteCount(shape: [0, 1 << 40], itemSize: 8) == 0)
        // As NumPy: the non-zero dimensions of an empty array must not overflow either (see RegressionTests).
        #expect(throws: NPYFormatError.self) { try ArraySize.byteCount(shape: [0, Int.max, Int.max], itemSize: 8) }
        #expect(try ArraySize.elementCount(shape: [Int.max]) == Int.max)
        #expect(throws: NPYFormatError.sizeOverflow(shape: "(9223372036854775807,)", itemSize: 2)) {
            try ArraySize.byteCount(shape: [Int.max], itemSize: 2)
        }
        #expect(throws: NPYFormatError.sizeOverflow(shape: "(4294967296, 4294967296)", itemSize: 1)) {
            try ArraySize.elementCount(shape: [1 << 32, 1 << 32])
        }
        #expect(throws: NPYFormatError.self) { try ArraySize.elementCount(shape: [2, -1]) }
    }

    @Test func shapeText() {
        #expect(NPYShapeText.python([]) == "()")
        #expect(NPYShapeText.python([5]) == "(5,)")
        #expect(NPYShapeText.python([2, 3, 4]) == "(2, 3, 4)")
    }

    @Test func boolValidatorFindsTheFirstBadByteAtEveryPosition() throws {
        for count in [0, 1, 7, 8, 9, 31, 64, 100] {
            let valid = (0..<count).map { UInt8($0 % 2) }
            valid.withUnsafeBytes { #expect(BoolValidator.firstInvalid(in: $0) == nil) }
            for position in 0..<count {
                for bad: UInt8 in [2, 0x61, 0xFF, 0x80] {
                    var bytes = valid
                    bytes[position] = bad
                    if position + 1 < count { bytes[count - 1] = 3 }  // a later bad byte must not win
                    let found = bytes.withUnsafeBytes { BoolValidator.firstInvalid(in: $0) }
                    #expect(found?.index == position && found?.value == bad, "count \(count) position \(position)")
                    #expect(throws: NPYFormatError.invalidBool(offset: 1000 + position, value: bad)) {
                        try bytes.withUnsafeBytes { try BoolValidator.validate($0, dataOffset: 1000) }
                    }
                }
            }
        }
    }
}
