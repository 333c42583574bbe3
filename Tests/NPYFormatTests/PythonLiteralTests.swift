import Testing

@testable import NPYFormat

@Suite struct PythonLiteralTests {
    private func parse(_ text: String) throws -> PythonLiteral {
        try PythonLiteralParser.parse(Array(text.utf8), encoding: .latin1).literal
    }

    @Test func tuplesNeedACommaExceptWhenEmpty() throws {
        #expect(try parse("()") == .tuple([]))
        #expect(try parse("(3)") == .integer(3))
        let single = try parse("(3,)")
        guard case .tuple(let items) = single else { Issue.record("not a tuple: \(single)"); return }
        #expect(items.map(\.literal) == [.integer(3)])
        guard case .tuple(let pair) = try parse("( 2 ,3 , )") else { Issue.record("not a tuple"); return }
        #expect(pair.map(\.literal) == [.integer(2), .integer(3)])
    }

    @Test func integersWithSignsSuffixesAndOverflow() throws {
        #expect(try parse("-5") == .integer(-5))
        #expect(try parse("+ 5") == .integer(5))
        #expect(try parse("10L") == .integer(10))
        #expect(try parse("10l") == .integer(10))
        #expect(try parse("9223372036854775807") == .integer(Int.max))
        #expect(try parse("9223372036854775808") == .bigInteger(negative: false))
        #expect(try parse("-99999999999999999999999") == .bigInteger(negative: true))
    }

    @Test func stringsInBothQuotesWithEscapesAndPrefixes() throws {
        #expect(try parse("'<f4'") == .string("<f4"))
        #expect(try parse("\"<f4\"") == .string("<f4"))
        #expect(try parse("u'abc'") == .string("abc"))
        #expect(try parse(#"'a\'b\\c\x41'"#) == .string("a'b\\cA"))
        #expect(try parse(#"r'a\n'"#) == .string(#"a\n"#))
        #expect(try parse("'\"'") == .string("\""))
    }

    @Test func namesAndPadding() throws {
        #expect(try parse("True") == .bool(true))
        #expect(try parse(" False \n") == .bool(false))
        #expect(try parse("None\0\0\0") == .none)
    }

    @Test func malformedTextThrows() {
        let bad = [
            "", "{", "{'a' 1}", "{'a': }", "(1 2)", "'abc", "'a\nb'", "b'x'", "1.5", "0x10", "nan", "{,}", "(,)",
            "[1, 2", "{'a': 1}}", "1 2", "-", "'\\x4'", "{'a': 1,,}", "{'a': 1} x",
        ]
        for text in bad {
            #expect(throws: NPYFormatError.self, "text \(text.debugDescription)") { try parse(text) }
        }
    }

    @Test func deepNestingIsRefusedWithoutRecursingFurther() {
        let deep = String(repeating: "(", count: 100_000)
        #expect(throws: NPYFormatError.self) { try parse(deep) }
        let ok = String(repeating: "[", count: 16) + String(repeating: "]", count: 16)
        #expect(throws: Never.self) { try parse(ok) }
    }

    @Test func utf8StringsForVersion3() throws {
        let text = Array("'é'".utf8)
        #expect(try PythonLiteralParser.parse(text, encoding: .utf8).literal == .string("é"))
        #expect(try PythonLiteralParser.parse(text, encoding: .latin1).literal == .string("Ã©"))
        #expect(throws: NPYFormatError.self) {
            try PythonLiteralParser.parse([0x27, 0xFF, 0x27], encoding: .utf8)
        }
    }
}
