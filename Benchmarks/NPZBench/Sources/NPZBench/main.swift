// MB/s of streaming a member through ZipArchiveWriter / ZipArchiveReader, and peak RSS.
// Data: float32-like bytes (random mantissas, repeating exponents), 1 MiB writes and reads.
import Glibc
import NPZContainer

let mebibytes = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1024 : 1024
let total = UInt64(mebibytes) << 20
let chunk = 1 << 20
let directory = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "/tmp"

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// A chunk of float32 values in [0, 1) with 16 random mantissa bits: compresses to roughly 70%.
func makeChunk() -> [UInt8] {
    var state: UInt64 = 0x1234_5678
    var out = [UInt8](repeating: 0, count: chunk)
    for i in stride(from: 0, to: chunk, by: 4) {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let value = Float(bitPattern: 0x3F80_0000 | UInt32(truncatingIfNeeded: state >> 48) << 7) - 1
        let bits = value.bitPattern
        for b in 0..<4 { out[i + b] = UInt8(truncatingIfNeeded: bits >> (8 * UInt32(b))) }
    }
    return out
}

func report(_ label: String, bytes: UInt64, seconds: Double, extra: String = "") {
    let mbps = Double(bytes) / seconds / 1e6
    print(
        label + String(repeating: " ", count: max(1, 38 - label.count)) + "\(Int(mbps)) MB/s  (\(bytes >> 20) MiB in "
            + "\((seconds * 100).rounded() / 100) s)  peak RSS \(Int(peakRSSMiB())) MiB" + extra)
}

func write(_ path: String, method: ZipWriteMethod, data: [UInt8]) throws -> Double {
    let start = now()
    let writer = try ZipArchiveWriter(path: path)
    let sink = try writer.beginMember(name: "x.npy", method: method)
    var done: UInt64 = 0
    try data.withUnsafeBytes { raw in
        while done < total {
            try sink.write(raw)
            done += UInt64(chunk)
        }
    }
    try writer.finish()
    return now() - start
}

func read(_ path: String) throws -> (Double, UInt64) {
    let start = now()
    let reader = try ZipArchiveReader(path: path)
    let source = try reader.openMember(reader.entries[0])
    var buffer = [UInt8](repeating: 0, count: chunk)
    var count: UInt64 = 0
    try buffer.withUnsafeMutableBytes { raw in
        while true {
            let n = try source.read(into: raw)
            if n == 0 { break }
            count += UInt64(n)
        }
    }
    return (now() - start, count)
}

let data = makeChunk()
print("NPZBench: \(mebibytes) MiB member, \(chunk >> 20) MiB chunks, files in \(directory)")
do {
    let stored = "\(directory)/npzbench-stored.npz"
    report("write stored", bytes: total, seconds: try write(stored, method: .stored, data: data))
    let (readStored, n1) = try read(stored)
    report("read stored (page cache)", bytes: n1, seconds: readStored)
    unlink(stored)

    for level in [-1, 1] {
        let path = "\(directory)/npzbench-deflated.npz"
        let seconds = try write(path, method: .deflated(level: level), data: data)
        var info = stat()
        stat(path, &info)
        let ratio = Double(info.st_size) / Double(total)
        report(
            "write deflated level \(level == -1 ? "6 (default)" : String(level))", bytes: total, seconds: seconds,
            extra: "  size \(Int(ratio * 100))%")
        let (readDeflated, n2) = try read(path)
        report("read deflated level \(level == -1 ? 6 : level) (output bytes)", bytes: n2, seconds: readDeflated)
        unlink(path)
    }
} catch {
    print("NPZBench failed: \(error)")
    exit(1)
}
