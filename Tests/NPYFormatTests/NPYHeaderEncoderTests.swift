import Foundation
import NPDropTestSupport
import Testing

@testable import NPYFormat

@Suite struct NPYHeaderEncoderTests {
    static let f4 = DType(kind: .float, itemSize: 4, byteOrder: .little)

    @Test func knownNpSaveBytes() {
        // np.save(f, np.zeros((2, 3), '<f4')) — first 64 bytes.
        let text = Array("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".utf8)
        let expected =
            [0x93] + Array("NUMPY".utf8) + [1, 0, 118, 0] + text
            + Array(repeating: UInt8(ascii: " "), count: 118 - text.count - 1) + [0x0A]
        let encoded = NPYHeaderEncoder.encode(dtype: Self.f4, fortranOrder: false, shape: [2, 3])
        #expect(encoded == expected)
        #expect(encoded.count == 128)
    }

    @Test func alignmentAndRoundTrip() throws {
        let dtypes = DTypeParsingTests.canonical.flatMap { entry in
            [ByteOrder.little, .big].map { DType(kind: entry.kind, itemSize: entry.size, byteOrder: $0) }
        }
        let shapes: [[Int]] = [
            [], [0], [5], [2, 3], [1, 3], [3, 1, 1], [0, 3], [2, 3, 4, 5], [123_456_789_012, 7],
            Array(repeating: 1, count: 64), [999_999_999_999, 3],
        ]
        for dtype in dtypes {
            for shape in shapes {
                for fortran in [false, true] {
                    let bytes = NPYHeaderEncoder.encode(dtype: dtype, fortranOrder: fortran, shape: shape)
                    #expect(bytes.count % 64 == 0)
                    #expect(bytes.last == 0x0A)
                    let parsed = try NPYHeaderParser.parse(bytes)
                    #expect(parsed == NPYHeaderEncoder.header(dtype: dtype, fortranOrder: fortran, shape: shape))
                    #expect(parsed.version == .v1)
                }
            }
        }
    }

    @Test func storedFortranOrderFollowsNumPyContiguity() {
        #expect(!NPYHeaderEncoder.storedFortranOrder(fortranOrder: false, shape: [2, 3]))
        #expect(NPYHeaderEncoder.storedFortranOrder(fortranOrder: true, shape: [2, 3]))
        #expect(NPYHeaderEncoder.storedFortranOrder(fortranOrder: true, shape: [2, 1, 3]))
        #expect(!NPYHeaderEncoder.storedFortranOrder(fortranOrder: true, shape: [11]))
        #expect(!NPYHeaderEncoder.storedFortranOrder(fortranOrder: true, shape: []))
        #expect(!NPYHeaderEncoder.storedFortranOrder(fortranOrder: true, shape: [1, 3, 1]))
        #expect(!NPYHeaderEncoder.storedFortranOrder(fortranOrder: true, shape: [0, 3]))
    }

    /// Compares against live NumPy: `np.save` of real arrays for ordinary shapes, and NumPy's own
    /// header writer for shapes too large to allocate.
    @Test(.enabled(if: LiveNumPy.isAvailable, "python3 with numpy is not available"))
    func matchesNumPyHeaderBytes() throws {
        struct Case { var descr: String; var fortran: Bool; var shape: [Int]; var allocate: Bool }
        var cases: [Case] = []
        let descrs = DTypeParsingTests.canonical.flatMap { entry in
            entry.size == 1 ? ["|" + entry.descr] : ["<" + entry.descr, ">" + entry.descr]
        }
        let small: [[Int]] = [
            [], [0], [5], [2, 3], [1, 3], [3, 1, 1], [0, 3], [3, 0], [2, 1, 3, 2], [10, 100], [1],
        ]
        let large: [[Int]] = [
            [123_456_789_012, 7], [1, 99_999_999_999_999_999], Array(repeating: 1, count: 64),
            Array(repeating: 2, count: 40), [3, 1, 5, 1_000_000_007],
        ]
        for descr in descrs {
            for fortran in [false, true] {
                cases += small.map { Case(descr: descr, fortran: fortran, shape: $0, allocate: true) }
                cases += large.map { Case(descr: descr, fortran: fortran, shape: $0, allocate: false) }
            }
        }
        let script = """
            import sys, io, json, numpy as np
            from numpy.lib import _format_impl as fmt
            out = []
            for descr, fortran, shape, allocate in json.loads(sys.stdin.read()):
                shape = tuple(shape)
                if allocate:
                    a = np.zeros(shape, dtype=np.dtype(descr), order='F' if fortran else 'C')
                    b = io.BytesIO(); np.save(b, a)
                    raw = b.getvalue()
                    hlen = int.from_bytes(raw[8:10], 'little')
                    out.append(raw[:10 + hlen].hex())
                else:
                    # A view with the right strides over one element: NumPy computes its flags.
                    dt = np.dtype(descr)
                    dims = shape[::-1] if fortran else shape
                    strides, step = [], dt.itemsize
                    for n in reversed(dims):
                        strides.insert(0, step); step *= n
                    if fortran: strides = strides[::-1]
                    view = np.lib.stride_tricks.as_strided(np.zeros(1, dt), shape, tuple(strides))
                    d = fmt.header_data_from_array_1_0(view)
                    b = io.BytesIO(); fmt._write_array_header(b, d, None)
                    out.append(b.getvalue().hex())
            print(json.dumps(out))
            """
        let input = try JSONSerialization.data(
            withJSONObject: cases.map { [$0.descr, $0.fortran, $0.shape, $0.allocate] })
        let output = try LiveNumPy.run(script, stdin: input)
        let expectedHex = try #require(try JSONSerialization.jsonObject(with: output) as? [String])
        #expect(expectedHex.count == cases.count)
        for (testCase, hex) in zip(cases, expectedHex) {
            let dtype = try DType.parse(descr: testCase.descr)
            let ours = NPYHeaderEncoder.encode(dtype: dtype, fortranOrder: testCase.fortran, shape: testCase.shape)
            let oursHex = ours.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
            #expect(oursHex == hex, "descr \(testCase.descr) fortran \(testCase.fortran) shape \(testCase.shape)")
        }
    }
}
