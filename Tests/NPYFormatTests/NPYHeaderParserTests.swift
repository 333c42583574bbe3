import Testing

@testable import NPYFormat

@Suite struct NPYHeaderParserTests {
    static let f4 = DType(kind: .float, itemSize: 4, byteOrder: .little)

    @Test func npSaveHeader() throws {
        let header = try #require(
            HeaderBytes.parse("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }    \n").success)
        #expect(
            header == NPYHeader(version: .v1, dtype: Self.f4, fortranOrder: false, shape: [2, 3], dataOffset: 10 + 64))
        #expect(header.dataByteCount == 24)
    }

    @Test func headerQuirksRealWritersEmit() throws {
        let quirks = [
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}",
            "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}\n",
            "{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(2,3),}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }",
            "  {  'descr' :'<f4' ,\n'fortran_order':False,\t'shape':( 2 , 3 ) }\n\n  \0\0",
            "{'descr': u'<f4', 'fortran_order': False, 'shape': (2, 3), }" + String(repeating: " ", count: 300) + "\n",
            "{'descr': 'f4', 'fortran_order': False, 'shape': (2, 3), }",
            "{'descr': '=f4', 'fortran_order': False, 'shape': (2, 3), }",
            "{'fortran_order': False, 'descr': '<f', 'shape': (+2, 3), }",
        ]
        for text in quirks {
            for version in [NPYVersion.v1, .v2, .v3] {
                let result = HeaderBytes.parse(text, version: version)
                let header = try #require(result.success, "text \(text.debugDescription) v\(version): \(result)")
                #expect(header.dtype == Self.f4)
                #expect(header.shape == [2, 3])
                #expect(header.fortranOrder == false)
                #expect(header.version == version)
                #expect(header.dataOffset == NPYHeaderParser.preambleLength(for: version) + text.utf8.count)
            }
        }
    }

    @Test func fortranZeroDAndEmptyArrays() throws {
        let fortran = try #require(
            HeaderBytes.parse("{'descr': '>c16', 'fortran_order': True, 'shape': (4, 5), }").success)
        #expect(fortran.fortranOrder)
        #expect(fortran.dtype == DType(kind: .complex, itemSize: 16, byteOrder: .big))
        #expect(fortran.dataByteCount == 320)
        let scalar = try #require(HeaderBytes.parse("{'descr': '|u1', 'fortran_order': False, 'shape': (), }").success)
        #expect(scalar.shape == [])
        #expect(scalar.elementCount == 1)
        let empty = try #require(
            HeaderBytes.parse("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 1099511627776), }").success)
        #expect(empty.dataByteCount == 0)
    }

    @Test func sixtyFourDimensionsAreAccepted() throws {
        let shape = "(" + String(repeating: "1, ", count: 64) + ")"
        let header = try #require(
            HeaderBytes.parse("{'descr': '<i2', 'fortran_order': False, 'shape': \(shape)}").success)
        #expect(header.shape.count == 64)
    }

    @Test(arguments: [
        ("{'descr': '<f4', 'fortran_order': False}", NPYFormatError.missingKey("shape")),
        ("{'fortran_order': False, 'shape': ()}", .missingKey("descr")),
        ("{'descr': '<f4', 'shape': ()}", .missingKey("fortran_order")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'descr': '<f4'}", .duplicateKey("descr")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'extra': 1}", .unknownKey("'extra'")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (), 1: 1}", .unknownKey("1")),
        ("['descr', '<f4']", .headerNotADictionary(found: "['descr', '<f4']")),
        ("{'descr': '<f4', 'fortran_order': 0, 'shape': ()}", .invalidFortranOrder(found: "0")),
        ("{'descr': '<f4', 'fortran_order': 'False', 'shape': ()}", .invalidFortranOrder(found: "'False'")),
        ("{'descr': '<f4', 'fortran_order': None, 'shape': ()}", .invalidFortranOrder(found: "None")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}", .invalidShape(found: "[2, 3]")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (3)}", .invalidShape(found: "(3)")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1)}", .invalidShape(found: "(2, -1)")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, True)}", .invalidShape(found: "(2, True)")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': ('2',)}", .invalidShape(found: "('2',)")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': ((2,),)}", .invalidShape(found: "((2,),)")),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
            .sizeOverflow(shape: "(99999999999999999999,)", itemSize: 4)
        ),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,)}",
            .sizeOverflow(shape: "(4611686018427387904,)", itemSize: 4)
        ),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3037000500, 3037000500)}",
            .sizeOverflow(shape: "(3037000500, 3037000500)", itemSize: 4)
        ),
        (
            "{'descr': '|O', 'fortran_order': False, 'shape': (2,)}",
            .unsupportedDType(descr: "'|O'", reason: "object dtype (pickle); npdrop never loads pickles")
        ),
        (
            "{'descr': [('a', '<i4'), ('b', '<f4')], 'fortran_order': False, 'shape': (2,)}",
            .unsupportedDType(
                descr: "[('a', '<i4'), ('b', '<f4')]", reason: "structured dtype (record fields) is not supported")
        ),
        (
            "{'descr': 4, 'fortran_order': False, 'shape': (2,)}",
            .unsupportedDType(descr: "4", reason: "descr is not a dtype string")
        ),
    ])
    func refusals(text: String, expected: NPYFormatError) {
        #expect(HeaderBytes.parse(text).failure == expected)
    }

    @Test func tooManyDimensions() {
        let shape = "(" + String(repeating: "1, ", count: 65) + ")"
        #expect(
            HeaderBytes.parse("{'descr': '<f4', 'fortran_order': False, 'shape': \(shape)}").failure
                == .tooManyDimensions(count: 65, limit: 64))
    }

    @Test func preambleErrors() {
        #expect(
            HeaderBytes.parse(bytes: Array("PK\u{3}\u{4}0000000".utf8)).failure
                == .badMagic(found: Array("PK\u{3}\u{4}00".utf8)))
        #expect(HeaderBytes.parse(bytes: []).failure == .truncated(section: .preamble, expected: 10, found: 0))
        #expect(
            HeaderBytes.parse(bytes: [0x93, 0x4E, 0x55]).failure
                == .truncated(section: .preamble, expected: 10, found: 3))
        #expect(HeaderBytes.parse(bytes: [0x93, 0x4E, 0x00]).failure == .badMagic(found: [0x93, 0x4E, 0x00]))
        let v4 = NPYHeaderParser.magic + [4, 0, 0, 0]
        #expect(HeaderBytes.parse(bytes: v4).failure == .unsupportedVersion(major: 4, minor: 0))
        let v11 = NPYHeaderParser.magic + [1, 1, 0, 0]
        #expect(HeaderBytes.parse(bytes: v11).failure == .unsupportedVersion(major: 1, minor: 1))
        let shortV2 = NPYHeaderParser.magic + [2, 0, 0x10, 0]
        #expect(HeaderBytes.parse(bytes: shortV2).failure == .truncated(section: .preamble, expected: 12, found: 10))
    }

    @Test func headerLengthIsCappedBeforeReadingIt() {
        let huge = NPYHeaderParser.magic + [2, 0, 0x01, 0x00, 0x01, 0x00]
        #expect(HeaderBytes.parse(bytes: huge).failure == .headerTooLong(length: 65537, limit: 65536))
        let max32 = NPYHeaderParser.magic + [3, 0, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(HeaderBytes.parse(bytes: max32).failure == .headerTooLong(length: 4_294_967_295, limit: 65536))
        let exactlyLimit = NPYHeaderParser.magic + [2, 0, 0x00, 0x00, 0x01, 0x00]
        #expect(
            HeaderBytes.parse(bytes: exactlyLimit).failure == .truncated(section: .header, expected: 65536, found: 0))
    }

    @Test func truncatedHeaderText() {
        var bytes = HeaderBytes.file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")
        bytes.removeLast(5)
        #expect(HeaderBytes.parse(bytes: bytes).failure == .truncated(section: .header, expected: 59, found: 54))
    }

    @Test func errorDescriptionsAreOneLine() {
        let errors: [NPYFormatError] = [
            .badMagic(found: [0x50, 0x4B, 3, 4]), .unsupportedVersion(major: 9, minor: 1),
            .headerTooLong(length: 70000, limit: 65536), .truncated(section: .data, expected: 96, found: 40),
            .malformedHeader(reason: "unexpected 'x'", offset: 3), .headerNotADictionary(found: "1"),
            .missingKey("shape"), .duplicateKey("descr"), .unknownKey("'x'"), .invalidFortranOrder(found: "0"),
            .invalidShape(found: "[1]"), .tooManyDimensions(count: 65, limit: 64),
            .sizeOverflow(shape: "(1,)", itemSize: 8),
            .unsupportedDType(descr: "'<U2'", reason: "unicode dtype is not supported"),
            .invalidBool(offset: 3, value: 97),
        ]
        for error in errors {
            #expect(!error.description.contains("\n"))
            #expect(!error.description.isEmpty)
        }
        #expect(
            NPYFormatError.truncated(section: .data, expected: 96, found: 40).description
                == "truncated data: expected 96 bytes, found 40")
        #expect(
            NPYFormatError.badMagic(found: [0x50, 0x4B, 3, 4, 0x14, 0]).description
                == "not an .npy file: bad magic bytes [50 4b 03 04 14 00], expected [93 4e 55 4d 50 59] (this looks like a zip archive such as an .npz)"
        )
        #expect(
            NPYFormatError.invalidBool(offset: 3, value: 97).description
                == "invalid bool data: byte 3 of the data is 97, bool bytes must be 0 or 1")
    }

    @Test func controlCharactersInMessagesAreEscaped() {
        let result = HeaderBytes.parse("{'descr': '<f4', 'fortran_order': False, 'shape': [\n1]}")
        #expect(result.failure == .invalidShape(found: "[\\x0a1]"))
    }
}
