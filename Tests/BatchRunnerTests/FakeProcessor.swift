import DropoutFiles
import Foundation

@testable import BatchRunner

/// A failure of the fake processor; names the member when there is one.
struct FakeError: Error, CustomStringConvertible, MemberAttributedError {
    let description: String
    let memberName: String?
}

/// Counts what the fake processor did, across threads.
final class FakeCounters: Sendable {
    private let state = Locked((prepared: [String](), segments: 0, abandoned: 0))

    func prepared(_ name: String) { state.withLock { $0.prepared.append(name) } }
    func segment() { state.withLock { $0.segments += 1 } }
    func abandoned() { state.withLock { $0.abandoned += 1 } }

    var preparedNames: [String] { state.withLock { $0.prepared } }
    var segments: Int { state.withLock { $0.segments } }
    var abandonCount: Int { state.withLock { $0.abandoned } }
}

/// What the fake processor keeps for one file.
final class FakeFileState: Sendable {
    let bytes: [UInt8]
    /// npz only: member entry names, one per line of the input text.
    let members: [String]
    let segmentBytes: Int

    init(bytes: [UInt8], members: [String], segmentBytes: Int) {
        self.bytes = bytes
        self.members = members
        self.segmentBytes = segmentBytes
    }
}

/// A stand-in for the real dropout processor.
///
/// - `.npy`: the "result" is the input XOR a keystream that depends on the seed, the array key,
///   the copy and the settings, at each absolute byte offset (so segmenting changes nothing);
///   the file is split into segments of `segmentHint.preferredSegmentBytes`, each written with
///   positioned writes. The "mask" is one text line. Shape = [byte count], dtype `|u1`.
/// - Every byte goes through `outputs.targets` — the `OutputSink`s the real processor hands to
///   DropoutFiles' jobs — never through a write path of the runner's own.
/// - `.npz`: the input is text, one member entry name per line; the output has one line per
///   member (processed → keystream hex, copied → "copied"); the mask lists processed members.
/// - A file whose name contains `corrupt` fails in `prepare`; `badsegment` fails in its last
///   segment; an npz member containing `corrupt` is reported failed by `finish`.
struct FakeProcessor: ArrayFileProcessor {
    typealias FileState = FakeFileState
    typealias WorkerState = [UInt8]

    var counters = FakeCounters()
    /// Called at the start of `prepare` (e.g. to look at the manifest mid-run).
    var observer: (@Sendable (FileTask) -> Void)?

    func makeWorkerState() -> [UInt8] { [UInt8](repeating: 0, count: 1024) }

    static func keystreamBase(_ task: FileTask, member: String?, settings: DropoutSettings) -> UInt64 {
        var text = task.key(forMember: member) + "|\(task.seed)|\(task.copy)|\(settings.variant.rawValue)"
        text +=
            "|\(settings.rate)|\(settings.noiseShape?.description ?? "-")|\(settings.scale)|\(settings.fill?.text ?? "-")"
        return ShardSpec.fnv1a64(text.utf8)
    }

    static func keystream(_ base: UInt64, at offset: Int) -> UInt8 {
        var z = base &+ UInt64(offset / 8) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return UInt8(truncatingIfNeeded: z >> (8 * UInt64(offset % 8)))
    }

    func prepare(_ task: FileTask, outputs: FileOutputs, worker: inout [UInt8]) throws -> FilePlan<FakeFileState> {
        observer?(task)
        counters.prepared(task.input.relativePath)
        if task.input.relativePath.contains("corrupt") {
            throw FakeError(description: "\(task.input.relativePath): corrupt header", memberName: nil)
        }
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: task.input.absolutePath)))
        switch task.input.kind {
        case .npy:
            let size = max(1, task.segmentHint.preferredSegmentBytes)
            let count = max(1, (bytes.count + size - 1) / size)
            try outputs.targets.data.setLength(bytes.count)
            return FilePlan(segmentCount: count, state: FakeFileState(bytes: bytes, members: [], segmentBytes: size))
        case .npz:
            let members = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
            return FilePlan(segmentCount: 1, state: FakeFileState(bytes: bytes, members: members, segmentBytes: 0))
        case .other:
            throw FakeError(
                description: "\(task.input.relativePath): the runner copies other files itself", memberName: nil)
        }
    }

    func process(
        segment: Int, of plan: FilePlan<FakeFileState>, task: FileTask, outputs: FileOutputs,
        worker: inout [UInt8]
    ) throws {
        counters.segment()
        guard task.input.kind == .npy else { return }
        if task.input.relativePath.contains("badsegment") && segment == plan.segmentCount - 1 {
            throw FakeError(description: "\(task.input.relativePath): bad data in segment \(segment)", memberName: nil)
        }
        guard case .process(let settings) = task.action(forMember: nil) else { return }
        let base = FakeProcessor.keystreamBase(task, member: nil, settings: settings)
        let state = plan.state
        let start = segment * state.segmentBytes
        let end = min(state.bytes.count, start + state.segmentBytes)
        let output = outputs.targets.data
        var offset = start
        while offset < end {  // through the worker's own buffer, a chunk at a time
            let n = min(worker.count, end - offset)
            for i in 0..<n { worker[i] = state.bytes[offset + i] ^ FakeProcessor.keystream(base, at: offset + i) }
            try worker.withUnsafeBytes { try output.write(UnsafeRawBufferPointer(rebasing: $0[0..<n]), at: offset) }
            offset += n
        }
    }

    func finish(
        _ plan: FilePlan<FakeFileState>, task: FileTask, outputs: FileOutputs,
        worker: inout [UInt8]
    ) throws -> FileOutcome {
        switch task.input.kind {
        case .npy:
            guard case .process(let settings) = task.action(forMember: nil) else {
                return FileOutcome(arrays: [], maskWritten: false)
            }
            let count = plan.state.bytes.count
            var noise = [count]
            if let spec = settings.noiseShape {
                guard spec.entries.count == 1 else {
                    return FileOutcome(
                        arrays: [
                            ArrayOutcome(
                                member: nil,
                                status: .failed(
                                    "\(task.input.relativePath): noise shape \(spec) has rank \(spec.entries.count), array has rank 1"
                                ))
                        ], maskWritten: false)
                }
                noise = [spec.entries[0] ?? count]
            }
            if let mask = outputs.targets.mask {
                let line = "mask \(task.key(forMember: nil)) \(task.seed) \(task.copy) \(settings.rate)\n"
                try Array(line.utf8).withUnsafeBytes { try mask.write($0, at: 0) }
            }
            // Labelled float (the bytes are arbitrary): a dtype the default --dtypes selects, as resume checks.
            return FileOutcome(
                arrays: [
                    ArrayOutcome(
                        member: nil, status: .processed, shape: [count], dtype: "<f4",
                        fortranOrder: false, noiseShape: noise)
                ],
                maskWritten: outputs.mask != nil)
        case .other:
            return FileOutcome(arrays: [], maskWritten: false)
        case .npz:
            var out = ""
            var mask = ""
            var arrays: [ArrayOutcome] = []
            for member in plan.state.members {
                switch task.action(forMember: member) {
                case .copy:
                    out += "\(member)=copied\n"
                    arrays.append(
                        ArrayOutcome(member: member, status: .copied, shape: [2, 3], dtype: "<f4", fortranOrder: false))
                case .process(let settings):
                    if member.contains("corrupt") {
                        arrays.append(
                            ArrayOutcome(
                                member: member,
                                status: .failed("\(task.input.relativePath): member '\(member)': unsupported dtype 'O'")
                            ))
                        continue
                    }
                    let base = FakeProcessor.keystreamBase(task, member: member, settings: settings)
                    let hex = (0..<8).map { String(FakeProcessor.keystream(base, at: $0), radix: 16) }.joined()
                    out += "\(member)=\(hex)\n"
                    mask += "\(member)\n"
                    arrays.append(
                        ArrayOutcome(
                            member: member, status: .processed, shape: [2, 3], dtype: "<f4",
                            fortranOrder: false, noiseShape: [2, 1]))
                }
            }
            try Array(out.utf8).withUnsafeBytes { try outputs.targets.data.write($0, at: 0) }
            var wroteMask = false
            if let file = outputs.targets.mask, !mask.isEmpty {
                try Array(mask.utf8).withUnsafeBytes { try file.write($0, at: 0) }
                wroteMask = true
            }
            return FileOutcome(arrays: arrays, maskWritten: wroteMask)
        }
    }

    func abandon(_ plan: FilePlan<FakeFileState>, task: FileTask) { counters.abandoned() }
}
