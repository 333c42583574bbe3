import Testing

@testable import NPYFormat

@Suite struct DTypeParsingTests {
    static let canonical: [(descr: String, kind: ScalarKind, size: Int)] = [
        ("b1", .bool, 1), ("i1", .signedInteger, 1), ("i2", .signedInteger, 2), ("i4", .signedInteger, 4),
        ("i8", .signedInteger, 8), ("u1", .unsignedInteger, 1), ("u2", .unsignedInteger, 2),
        ("u4", .unsignedInteger, 4), ("u8", .unsignedInteger, 8), ("f2", .float, 2), ("f4", .float, 4),
        ("f8", .float, 8), ("c8", .complex, 8), ("c16", .complex, 16),
    ]

    @Test func everySupportedKindInEveryOrder() throws {
        for entry in Self.canonical {
            for (prefix, order) in [("<", ByteOrder.little), (">", .big), ("|", .host), ("=", .host), ("", .host)] {
                let dtype = try DType.parse(descr: prefix + entry.descr)
                let expectedOrder: ByteOrder = entry.size == 1 ? .notApplicable : order
                #expect(
                    dtype == DType(kind: entry.kind, itemSize: entry.size, byteOrder: expectedOrder),
                    "descr \(prefix + entry.descr)")
            }
        }
    }

    @Test func canonicalDescrRoundTrips() throws {
        for entry in Self.canonical {
            for order in [ByteOrder.little, .big] {
                let dtype = DType(kind: entry.kind, itemSize: entry.size, byteOrder: order)
                #expect(try DType.parse(descr: dtype.descr) == dtype)
            }
        }
    }

    @Test func oneByteTypesDropTheOrderCharacter() throws {
        #expect(try DType.parse(descr: "<u1").descr == "|u1")
        #expect(try DType.parse(descr: ">i1").descr == "|i1")
        #expect(try DType.parse(descr: "<b1").descr == "|b1")
    }

    @Test func numpyTypeCharacters() throws {
        let cases: [(String, String)] = [
            ("?", "|b1"), ("b", "|i1"), ("B", "|u1"), ("<h", "<i2"), (">H", ">u2"), ("<i", "<i4"),
            ("<I", "<u4"), ("<q", "<i8"), (">Q", ">u8"), ("<e", "<f2"), ("<f", "<f4"), (">d", ">f8"),
            ("<F", "<c8"), (">D", ">c16"),
        ]
        for (descr, expected) in cases {
            #expect(try DType.parse(descr: descr).descr == expected, "descr \(descr)")
        }
    }

    @Test func refusedKindsNameTheKind() {
        let cases: [(String, String)] = [
            ("|O", "object"), ("|O8", "object"), ("O", "pickle"), ("|S5", "string"), ("|a3", "string"),
            ("S", "string"), ("c", "string"), ("<U8", "unicode"), ("<M8[ns]", "datetime"), ("<m8[s]", "timedelta"),
            ("|V16", "void"), ("<f16", "long double"), ("<f12", "long double"), ("<g", "long double"),
            ("<c32", "long double"), ("G", "long double"), ("<l", "platform-dependent"),
        ]
        for (descr, word) in cases {
            let message = refusal(descr)
            #expect(message?.contains(word) == true, "descr \(descr): \(message ?? "accepted")")
            #expect(message?.contains("'\(descr)'") == true, "descr \(descr) named in: \(message ?? "")")
        }
    }

    @Test func unknownAndMisSizedDescrsAreRefused() {
        for descr in ["", "<", "<i3", "<f1", "<u16", "<c4", "<b2", "xyz", "<i4 ", "!f4", "<i99999", "<f8x", "i-1"] {
            #expect(refusal(descr) != nil, "descr '\(descr)' should be refused")
        }
    }

    private func refusal(_ descr: String) -> String? {
        do {
            _ = try DType.parse(descr: descr)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
