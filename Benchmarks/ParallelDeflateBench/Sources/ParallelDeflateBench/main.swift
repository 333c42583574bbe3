// Writes the bytes of an .npy file as the one member "x.npy" of an npz, in 1 MiB writes, and prints
// one line: wall seconds, CPU seconds (user + system), input bytes, member compressed bytes, the
// busiest thread's CPU seconds, and the 4 busiest threads' CPU centiseconds.
//     ParallelDeflateBench IN.npy OUT.npz single|parallel LEVEL [THREADS] [BLOCK_BYTES]
import Glibc
import NPZContainer

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return s(usage.ru_utime) + s(usage.ru_stime)
}

func readAll(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(file) }
    fseek(file, 0, SEEK_END)
    let size = ftell(file)
    fseek(file, 0, SEEK_SET)
    var bytes = [UInt8](repeating: 0, count: size)
    let n = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, size, file) }
    precondition(n == size, "short read of \(path)")
    return bytes
}

/// CPU seconds of each thread of this process (from /proc/self/task/*/stat), largest first: the
/// largest is roughly the wall time the run would take with a free core per thread.
func threadCPUSeconds() -> [Double] {
    guard let dir = opendir("/proc/self/task") else { return [] }
    defer { closedir(dir) }
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    var result: [Double] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard Int(name) != nil, let file = fopen("/proc/self/task/\(name)/stat", "r") else { continue }
        var line = [UInt8](repeating: 0, count: 4096)
        let read = line.withUnsafeMutableBytes { fread($0.baseAddress, 1, 4095, file) }
        fclose(file)
        let text = String(decoding: line[0..<read], as: UTF8.self)
        // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
        guard let close = text.lastIndex(of: ")") else { continue }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
        result.append((user + system) / ticks)
    }
    return result.sorted(by: >)
}

let args = CommandLine.arguments
guard args.count >= 5, let level = Int(args[4]) else {
    print("usage: ParallelDeflateBench IN.npy OUT.npz single|parallel LEVEL [THREADS] [BLOCK_BYTES]")
    exit(2)
}
let threads = args.count > 5 ? Int(args[5]) ?? 2 : 2
let blockSize =
    args.count > 6 ? Int(args[6]) ?? ParallelDeflateOptions.defaultBlockSize : ParallelDeflateOptions.defaultBlockSize
let method: ZipWriteMethod =
    args[3] == "single"
    ? .deflated(level: level) : .parallelDeflated(level: level, blockSize: blockSize, threads: threads)
let data = readAll(args[1])
let chunk = 1 << 20
do {
    let cpu0 = cpuSeconds()
    let start = now()
    let writer = try ZipArchiveWriter(path: args[2])
    let sink = try writer.beginMember(name: "x.npy", method: method)
    try data.withUnsafeBytes { raw in
        var at = 0
        while at < raw.count {
            let end = min(raw.count, at + chunk)
            try sink.write(UnsafeRawBufferPointer(rebasing: raw[at..<end]))
            at = end
        }
    }
    try sink.finish()
    let compressed = sink.compressedBytesWritten
    try writer.finish()
    let perThread = threadCPUSeconds()
    print(
        now() - start, cpuSeconds() - cpu0, data.count, compressed, perThread.first ?? 0,
        perThread.prefix(4).map { String(Int($0 * 100)) }.joined(separator: ","))
} catch {
    print("ParallelDeflateBench failed: \(error)")
    exit(1)
}
