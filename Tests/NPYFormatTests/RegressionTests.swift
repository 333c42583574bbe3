import Testing

@testable import NPYFormat

/// Reproducers of problems found by fuzzing (`scripts/fuzz.sh npy-header`), kept small and inline.
/// Each test names the finding; docs/hardening.md lists them with their fixes.
@Suite struct RegressionTests {
    /// Finding 1: a descr holding a line break or terminal escape was echoed raw, so the
    /// "one line naming the file" message became several lines (or drove the terminal).
    @Test func descrWithControlCharactersGivesAOneLineMessage() throws {
        // The fuzzer's input: DType.parse over 0x93, ten spaces, a line feed.
        let fuzzed = String(
            decoding: [0x93, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0A] as [UInt8],
            as: UTF8.self)
        let direct = try #require(throws: NPYFormatError.self) { try DType.parse(descr: fuzzed) }
        #expect(!direct.description.contains("\n"))
        #expect(direct.description.hasSuffix("\\x0a': not a NumPy dtype npdrop knows"))

        // The same through a header: Python escapes make the control bytes.
        let header = HeaderBytes.file("{'descr': '<f4\\n\\x1b[2J\\r', 'fortran_order': False, 'shape': (1,), }")
        let failure = try #require(HeaderBytes.parse(bytes: header).failure)
        #expect(
            failure == .unsupportedDType(descr: "'<f4\\x0a\\x1b[2J\\x0d'", reason: "not a NumPy dtype npdrop knows"))
        #expect(failure.description == "unsupported dtype '<f4\\x0a\\x1b[2J\\x0d': not a NumPy dtype npdrop knows")

        // Unicode line and paragraph separators and bidi controls are escaped too (version 3.0 is UTF-8).
        let unicode = HeaderBytes.file(
            "{'descr': '<f\u{2028}4\u{202E}', 'fortran_order': False, 'shape': (), }", version: .v3)
        #expect(
            HeaderBytes.parse(bytes: unicode).failure?.description
                == "unsupported dtype '<f\\u{2028}4\\u{202e}': not a NumPy dtype npdrop knows")
    }

    /// Finding 1 (cont.): a descr string can be as long as the header (64 KiB); the message quotes 40 characters.
    @Test func longDescrIsClippedInTheMessage() throws {
        let long = String(repeating: "x", count: 60_000)
        let error = try #require(throws: NPYFormatError.self) { try DType.parse(descr: long) }
        #expect(
            error.description
                == "unsupported dtype '\(String(repeating: "x", count: 40))'...: not a NumPy dtype npdrop knows")
    }

    /// Finding 2: shape (2**62, 2**62, 0) passed the size check (an empty array has no bytes), then
    /// `NPYHeader.elementCount` multiplied the dimensions and trapped on overflow: a 108-byte file
    /// crashed `npdrop inspect`. NumPy refuses such a shape ("array is too big"); so do we now.
    @Test func emptyArrayWhoseOtherDimensionsOverflowIsRefused() throws {
        let file = HeaderBytes.file(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904, 0), }")
        #expect(file.count == 108)
        #expect(
            HeaderBytes.parse(bytes: file).failure
                == .sizeOverflow(shape: "(4611686018427387904, 4611686018427387904, 0)", itemSize: 4))
        // The item size counts, as in NumPy: (2**62, 0) is too big for f4 (2**64 bytes), while
        // np.empty((2**62, 0), 'u1') works (2**62 fits in Int), and so does ours.
        #expect(
            HeaderBytes.parse("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 0), }").failure
                == .sizeOverflow(shape: "(4611686018427387904, 0)", itemSize: 4))
        let small = try #require(
            HeaderBytes.parse("{'descr': '|u1', 'fortran_order': True, 'shape': (4611686018427387904, 0), }").success)
        #expect(small.dataByteCount == 0)
        #expect(small.elementCount == 0)
    }

    /// Finding 2 (cont.): every header the parser accepts has an element count and byte size that
    /// can be computed without trapping, whatever the order of its dimensions.
    @Test func acceptedEmptyShapesHaveComputableSizes() throws {
        let dims = [0, 1, 3, 1 << 20, 1 << 40, Int.max / 8]
        for a in dims {
            for b in dims {
                for c in [0, 2] {
                    let text = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(a), \(b), \(c)), }"
                    guard let header = HeaderBytes.parse(text).success else { continue }
                    #expect(header.dataByteCount == header.elementCount * 8, "shape (\(a), \(b), \(c))")
                    #expect(header.dataByteCount == (try ArraySize.byteCount(shape: header.shape, itemSize: 8)))
                }
            }
        }
    }
}
