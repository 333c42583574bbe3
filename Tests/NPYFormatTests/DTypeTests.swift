import Testing

@testable import NPYFormat

@Test func descrOfOneByteTypesHasNoOrder() {
    #expect(DType(kind: .unsignedInteger, itemSize: 1, byteOrder: .little).descr == "|u1")
    #expect(DType(kind: .float, itemSize: 4, byteOrder: .big).descr == ">f4")
}
