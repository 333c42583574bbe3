// Writes the bytes of an .npy file as the one member "x.npy" of an npz, in 1 MiB writes, and prints
// one line: wall seconds, CPU seconds (user + system), input bytes, member compressed bytes.
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

let args = CommandLine.arguments
guard args.count >= 5, let level = Int(args[4]) else {
    print("usage: ParallelDeflateBench IN.npy OUT.npz single|parallel LEVEL [THREADS] [BLOCK_BYTES]")
    exit(2)
}
let threads = args.count > 5 ? Int(args[5]) ?? 2 : 2
let blockSize = args.count > 6 ? Int(args[6]) ?? ParallelDeflateOptions.defaultBlockSize : ParallelDeflateOptions.defaultBlockSize
let method: ZipWriteMethod = args[3] == "single"
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
    print(now() - start, cpuSeconds() - cpu0, data.count, compressed)
} catch {
    print("ParallelDeflateBench failed: \(error)")
    exit(1)
}
