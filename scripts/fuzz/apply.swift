// libFuzzer target: `npdrop apply IN OUT ...` end to end, IN holding the fuzzer's bytes.
//
// The real command runs (argument parsing, validation, reader, pipeline, atomic output file),
// in a private directory on tmpfs. Properties checked for every input:
// - nothing traps, hangs or over-allocates;
// - a failure is an error whose one-line message names IN (or a usage error), and leaves no
//   OUT and no temporary file behind;
// - a success leaves exactly OUT, which reads back as the same array (dtype, shape) as IN.
// The last input byte picks the options (so the whole input is still the file: bytes after the
// array data are ignored by the reader): plain dropout, spatial variants in both data formats,
// alpha, --no-scale/--fill, explicit noise shapes, --mask, --key, --store/--compress. Inputs that
// are zip archives go through the .npz path (OUT and the mask are then archives).
#if canImport(Glibc)
import Glibc
#endif
import NPYFormat
import NPYStream
import NPZContainer
@testable import npdrop

/// Option sets `apply` is run with; `optionSets[last byte % count]`. "MASK" becomes the mask path.
let optionSets: [[String]] = [
    ["--rate", "0"],
    ["--rate", "0.5", "--seed", "1", "--mask", "MASK"],
    ["--rate", "1", "--seed", "2"],
    ["--variant", "spatial1d", "--rate", "0.3", "--seed", "3", "--mask", "MASK"],
    ["--variant", "spatial2d", "--data-format", "channels_first", "--rate", "0.3", "--seed", "4", "--mask", "MASK"],
    ["--variant", "spatial3d", "--rate", "0.7", "--seed", "5"],
    ["--variant", "alpha", "--rate", "0.2", "--seed", "6", "--mask", "MASK"],
    ["--rate", "0.5", "--seed", "7", "--no-scale", "--fill", "3"],
    ["--rate", "0.25", "--seed", "8", "--noise-shape", "None,1", "--mask", "MASK"],
    ["--rate", "0.25", "--seed", "9", "--noise-shape", "1,None,1", "--key", "k", "--store"],
    ["--rate", "0.5", "--seed", "10", "--fill", "-1.5", "--compress", "--mask", "MASK"],
]

/// A private directory on tmpfs (fsync and rename cost nothing there), made once per process.
let workDirectory: String = {
    let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    var template = Array("\(base)/npdrop-fuzz-apply-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed: errno \(errno)") }
    let path = String(cString: made)
    atexit { removeDirectory(workDirectoryForExit) }
    workDirectoryForExit = path
    return path
}()
nonisolated(unsafe) var workDirectoryForExit = ""

@_cdecl("LLVMFuzzerTestOneInput")
public func npdropFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let input = workDirectory + "/in.npy"
    let output = workDirectory + "/out.npy"
    writeFile(input, bytes)
    let mask = workDirectory + "/mask.npy"
    let options = optionSets[Int(bytes.last ?? 0) % optionSets.count].map { $0 == "MASK" ? mask : $0 }
    let wantsMask = options.contains(mask)
    var succeeded = false
    do {
        var command = try NPDrop.parseAsRoot(["apply", input, output] + options)
        try command.run()
        succeeded = true
    } catch let usage as UsageError {
        fuzzRequireOneLine(usage)
    } catch {
        if NPDrop.exitCode(for: error) == .validationFailure {
            fuzzRequireOneLine(message: NPDrop.message(for: error))
        } else {
            fuzzRequireNames(error, input)
        }
    }
    let left = directoryEntries(workDirectory).sorted()
    if succeeded {
        let expected = wantsMask ? ["in.npy", "mask.npy", "out.npy"] : ["in.npy", "out.npy"]
        fuzzRequire(left == expected, "after success the directory holds \(left)")
        let isArchive = bytes.starts(with: [0x50, 0x4B])
        if isArchive {
            checkArchiveOutput(output, mask: wantsMask ? mask : nil)
        } else {
            checkOutput(input: bytes, output: readFile(output), rateZero: options == optionSets[0])
            if wantsMask { checkMask(readFile(mask)) }
        }
    } else {
        fuzzRequire(left == ["in.npy"], "after a failure the directory holds \(left)")
    }
    for name in left where name != "in.npy" { unlink(workDirectory + "/" + name) }
    return 0
}

/// OUT is an .npy file of IN's dtype and shape, whose header is what np.save writes; at rate 0
/// its data are IN's data.
func checkOutput(input: [UInt8], output: [UInt8], rateZero: Bool) {
    do {
        let inHeader = try NPYHeaderParser.parse(input)
        let outHeader = try NPYHeaderParser.parse(output)
        fuzzRequire(outHeader.dtype == inHeader.dtype && outHeader.shape == inHeader.shape, "OUT is another array")
        let expected = NPYHeaderEncoder.encode(dtype: inHeader.dtype, fortranOrder: inHeader.fortranOrder, shape: inHeader.shape)
        fuzzRequire(Array(output.prefix(expected.count)) == expected, "OUT's header is not np.save's")
        fuzzRequire(output.count == expected.count + outHeader.dataByteCount, "OUT has \(output.count) bytes")
        if rateZero {
            let data = input[inHeader.dataOffset..<(inHeader.dataOffset + inHeader.dataByteCount)]
            fuzzRequire(output[expected.count...].elementsEqual(data), "rate 0 changed the data")
        }
    } catch {
        fuzzRequire(false, "apply succeeded but IN or OUT does not parse: \(error)")
    }
}

/// The mask is a C-order bool array holding only 0 and 1.
func checkMask(_ mask: [UInt8]) {
    do {
        let header = try NPYHeaderParser.parse(mask)
        fuzzRequire(header.dtype.kind == .bool && !header.fortranOrder, "mask is \(header.dtype.descr)")
        fuzzRequire(mask.count == header.dataOffset + header.dataByteCount, "mask has \(mask.count) bytes")
        fuzzRequire(mask[header.dataOffset...].allSatisfy { $0 <= 1 }, "mask bytes other than 0/1")
    } catch {
        fuzzRequire(false, "the mask does not parse: \(error)")
    }
}

/// An .npz result (and mask) that our own reader reads back completely.
func checkArchiveOutput(_ path: String, mask: String?) {
    for file in [path] + (mask.map { [$0] } ?? []) {
        do {
            let archive = try ZipArchiveReader(path: file)
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            for entry in archive.entries {
                let reader = try NPYReader(source: archive.openMember(entry), name: file, member: entry.name)
                try buffer.withUnsafeMutableBytes { try reader.skipData(using: $0) }
                fuzzRequire(!reader.trailingBytesSeen, "written member \(entry.name) has trailing bytes")
            }
        } catch {
            fuzzRequire(false, "apply wrote an archive it cannot read back: \(error)")
        }
    }
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    fuzzRequire(fd >= 0, "cannot create \(path)")
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
        fuzzRequire(n > 0, "write failed")
        done += n
    }
    close(fd)
}

func readFile(_ path: String) -> [UInt8] {
    let fd = open(path, O_RDONLY)
    fuzzRequire(fd >= 0, "cannot open \(path)")
    defer { close(fd) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        fuzzRequire(n >= 0, "read failed")
        if n == 0 { break }
        result += chunk[..<n]
    }
    return result
}

func directoryEntries(_ path: String) -> [String] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

func removeDirectory(_ path: String) {
    guard !path.isEmpty else { return }
    for name in directoryEntries(path) { unlink(path + "/" + name) }
    rmdir(path)
}
