// libFuzzer target: the pure .npy header layer over arbitrary bytes.
//
// Properties checked for every input (a failure crashes, so libFuzzer keeps the input):
// - parsing never traps, hangs or allocates more than the input and the 64 KiB header cap allow;
// - errors are `NPYFormatError`s whose message is one line;
// - a parsed header is self-consistent (≤ 64 dims, non-negative dims, sizes that fit in Int,
//   data offset = preamble + header text), and its element and byte counts can be computed;
// - what np.save would write for it (NPYHeaderEncoder) parses back to the same array description,
//   64-byte aligned;
// - any descr string that parses has a canonical descr that parses to the same dtype.
import NPYFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func npdropFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    checkWholeFile(bytes)
    checkHeaderText(bytes)
    checkDescr(bytes)
    return 0
}

/// `bytes` as the start of an .npy file.
func checkWholeFile(_ bytes: [UInt8]) {
    let header: NPYHeader
    do {
        header = try NPYHeaderParser.parse(bytes)
    } catch {
        fuzzRequire(error is NPYFormatError, "unexpected error type \(type(of: error))")
        fuzzRequireOneLine(error)
        return
    }
    checkHeader(header)
    let length = header.dataOffset - NPYHeaderParser.preambleLength(for: header.version)
    fuzzRequire(length >= 0 && header.dataOffset <= bytes.count, "data offset \(header.dataOffset) outside the input")
}

/// `bytes[1...]` as header text of the version picked by `bytes[0]`.
func checkHeaderText(_ bytes: [UInt8]) {
    guard let first = bytes.first else { return }
    let versions: [NPYVersion] = [.v1, .v2, .v3]
    let version = versions[Int(first) % versions.count]
    let text = Array(bytes.dropFirst())
    do {
        let header = try NPYHeaderParser.parseHeader(text, version: version)
        fuzzRequire(header.dataOffset == NPYHeaderParser.preambleLength(for: version) + text.count, "data offset")
        checkHeader(header)
    } catch {
        fuzzRequire(error is NPYFormatError, "unexpected error type \(type(of: error))")
        fuzzRequireOneLine(error)
    }
}

/// The first bytes as a descr string.
func checkDescr(_ bytes: [UInt8]) {
    let descr = String(decoding: bytes.prefix(12), as: UTF8.self)
    do {
        let dtype = try DType.parse(descr: descr)
        let again = try DType.parse(descr: dtype.descr)
        fuzzRequire(again == dtype, "descr \(dtype.descr) of \(descr) parses to \(again)")
        fuzzRequire([1, 2, 4, 8, 16].contains(dtype.itemSize), "item size \(dtype.itemSize)")
    } catch {
        fuzzRequire(error is NPYFormatError, "unexpected error type \(type(of: error))")
        fuzzRequireOneLine(error)
    }
}

/// Invariants of any header the parser accepted.
func checkHeader(_ header: NPYHeader) {
    fuzzRequire(header.shape.count <= NPYHeaderParser.maxDimensions, "\(header.shape.count) dimensions")
    fuzzRequire(header.shape.allSatisfy { $0 >= 0 }, "negative dimension in \(header.shape)")
    let bytes: Int
    do {
        bytes = try ArraySize.byteCount(shape: header.shape, itemSize: header.dtype.itemSize)
    } catch {
        fuzzRequire(false, "accepted shape \(header.shape) whose size overflows: \(error)")
        return
    }
    // The computed properties every consumer uses must agree with the checked size (and not trap).
    fuzzRequire(header.dataByteCount == bytes, "dataByteCount \(header.dataByteCount) != \(bytes)")
    fuzzRequire(header.elementCount * header.dtype.itemSize == bytes, "elementCount")

    // What np.save writes for this array parses back to the same description.
    let encoded = NPYHeaderEncoder.encode(dtype: header.dtype, fortranOrder: header.fortranOrder, shape: header.shape)
    let expected = NPYHeaderEncoder.header(dtype: header.dtype, fortranOrder: header.fortranOrder, shape: header.shape)
    fuzzRequire(encoded.count % 64 == 0, "encoded header of \(encoded.count) bytes is not 64-aligned")
    do {
        let reparsed = try NPYHeaderParser.parse(encoded)
        fuzzRequire(reparsed == expected, "re-parsed \(reparsed) != encoder's \(expected)")
        fuzzRequire(reparsed.dataOffset == encoded.count, "encoded data offset")
        fuzzRequire(reparsed.dtype == header.dtype && reparsed.shape == header.shape, "round trip changed the array")
    } catch {
        fuzzRequire(false, "encoded header does not parse: \(error)")
    }
}
