// libFuzzer target: `npdrop apply IN OUT ...` end to end, IN holding the fuzzer's bytes.
//
// The real command runs (argument parsing, validation, reader, pipeline, atomic output file),
// in a private directory on tmpfs. Properties checked for every input:
// - nothing traps, hangs or over-allocates;
// - a failure is an error whose one-line message names IN (or a usage error), and leaves no
//   OUT and no temporary file behind;
// - a success leaves exactly OUT, which reads back as the same array (dtype, shape) as IN.
// The last input byte picks the options (so the whole input is still the file: bytes after the
// array data are ignored by the reader).
#if canImport(Glibc)
import Glibc
#endif
import NPYFormat
import NPYStream
@testable import npdrop

/// Option sets `apply` is run with; `optionSets[last byte % count]`.
let optionSets: [[String]] = [
    ["--rate", "0"],
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
    let options = optionSets[Int(bytes.last ?? 0) % optionSets.count]
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
        fuzzRequire(left == ["in.npy", "out.npy"], "after success the directory holds \(left)")
        checkOutput(input: bytes, output: readFile(output))
    } else {
        fuzzRequire(left == ["in.npy"], "after a failure the directory holds \(left)")
    }
    for name in left where name != "in.npy" { unlink(workDirectory + "/" + name) }
    return 0
}

/// OUT is an .npy file of IN's dtype and shape, whose header is what np.save writes.
func checkOutput(input: [UInt8], output: [UInt8]) {
    do {
        let inHeader = try NPYHeaderParser.parse(input)
        let outHeader = try NPYHeaderParser.parse(output)
        fuzzRequire(outHeader.dtype == inHeader.dtype && outHeader.shape == inHeader.shape, "OUT is another array")
        let expected = NPYHeaderEncoder.encode(dtype: inHeader.dtype, fortranOrder: inHeader.fortranOrder, shape: inHeader.shape)
        fuzzRequire(Array(output.prefix(expected.count)) == expected, "OUT's header is not np.save's")
        fuzzRequire(output.count == expected.count + outHeader.dataByteCount, "OUT has \(output.count) bytes")
    } catch {
        fuzzRequire(false, "apply succeeded but IN or OUT does not parse: \(error)")
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
