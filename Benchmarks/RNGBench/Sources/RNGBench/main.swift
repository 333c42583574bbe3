// ns per draw of every keep-flag kernel this CPU runs, and of the Swift reference: one thread,
// `MiB` Mi draws (one flag byte each) per timed fill, kernels alternated within each round,
// median over the rounds. Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so a busy
// machine taking the core away does not count; wall-clock medians are printed too. The flags
// of every kernel are checked against the reference's.
import DropoutEngine
import Glibc

let mebi = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 64 : 64
let rounds = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 5 : 5
let count = mebi << 20

func now(_ clock: clockid_t) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// `value` rounded to `digits` decimals, as text.
func fixed(_ value: Double, _ digits: Int) -> String {
    let scale = pow(10, Double(digits))
    return String((value * scale).rounded() / scale)
}

enum Contender: CustomStringConvertible {
    case kernel(RandomKernel)
    case swiftReference

    var description: String {
        switch self {
        case .kernel(let kernel): kernel.rawValue
        case .swiftReference: "swift reference (4 lanes)"
        }
    }

    func fill(_ rng: inout PCG64, _ out: UnsafeMutableBufferPointer<UInt8>, _ rule: KeepRule) {
        switch self {
        case .kernel(let kernel): rng.fillKeep(out, rule: rule, kernel: kernel)
        case .swiftReference: rng.referenceFillKeep(out, rule: rule)
        }
    }
}

let rule = try KeepRule(rate: 0.5)
let start = PCG64(SeedSequence(seed: 15))
let contenders: [Contender] = [.swiftReference] + RandomKernel.supported.map { .kernel($0) }
let out = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: count)
let expected = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: count)
out.initialize(repeating: 0)
var reference = start
reference.referenceFillKeep(expected, rule: rule)

var times = [[Double]](repeating: [], count: contenders.count)
var wallTimes = [[Double]](repeating: [], count: contenders.count)
for round in 0..<rounds {
    for step in 0..<contenders.count {
        let index = (step + round) % contenders.count
        var rng = start
        let began = now(CLOCK_THREAD_CPUTIME_ID)
        let wallBegan = now(CLOCK_MONOTONIC)
        contenders[index].fill(&rng, out, rule)
        times[index].append(now(CLOCK_THREAD_CPUTIME_ID) - began)
        wallTimes[index].append(now(CLOCK_MONOTONIC) - wallBegan)
        guard rng == reference, memcmp(out.baseAddress!, expected.baseAddress!, count) == 0 else {
            print("\(contenders[index]): flags differ from the reference")
            exit(1)
        }
    }
}

print("\(mebi) Mi draws per fill, \(rounds) rounds, median; fastest kernel here: \(RandomKernel.fastest)")
print("| kernel | CPU ns / draw | × swift reference | wall ns / draw |")
print("|---|---|---|---|")
let medians = times.map { $0.sorted()[$0.count / 2] / Double(count) * 1e9 }
let wallMedians = wallTimes.map { $0.sorted()[$0.count / 2] / Double(count) * 1e9 }
for (index, contender) in contenders.enumerated() {
    print(
        "| \(contender) | \(fixed(medians[index], 3)) | \(fixed(medians[0] / medians[index], 2)) | \(fixed(wallMedians[index], 3)) |"
    )
}
