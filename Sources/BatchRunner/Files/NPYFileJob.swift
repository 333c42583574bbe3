import DropoutEngine
import NPYFormat
import NPYStream

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Dropout of one `.npy` file, split into segments of whole elements that workers process at
/// the same time: each reads its elements with `pread` and writes the result (and its share of
/// the mask) with `pwrite` at the same offsets it would have in an unsplit run, so the bytes
/// never depend on the split.
public final class NPYFileJob: Sendable {
    /// The engine's plan for the array (headers, noise, kernel, stream).
    public let plan: ArrayDropoutPlan
    /// Elements per segment (the last one may be shorter).
    public let elementsPerSegment: Int
    /// Number of segments, at least 1 (an empty array has the one segment `0..<0`).
    public let segmentCount: Int
    private let input: FileDescriptor
    /// Packed masks are written whole once the segments are done (`finishMask`), not by segments.
    private let packsMask: Bool

    private init(plan: ArrayDropoutPlan, input: FileDescriptor, elementsPerSegment: Int, packsMask: Bool) {
        self.plan = plan
        self.input = input
        self.packsMask = packsMask
        self.elementsPerSegment = elementsPerSegment
        let count = plan.elementCount
        segmentCount = count == 0 ? 1 : count / elementsPerSegment + (count % elementsPerSegment == 0 ? 0 : 1)
    }

    /// Opens the input, reads and checks its header (the file must hold every data byte the
    /// header announces), plans the array with `task`'s settings, writes the result's
    /// `np.save` header and the mask's header at offset 0 of the outputs, and sizes both outputs
    /// to their final lengths. Segments hold about `task.segmentHint.preferredSegmentBytes`
    /// bytes of data. Throws `RunnerError.array` naming the file.
    static func prepare(_ task: FileTask, outputs: FileOutputs) throws -> NPYFileJob {
        do {
            guard case .process(let settings) = task.action(forMember: nil) else {
                throw RunnerError.array(member: nil, message: "\(task.input.relativePath): an .npy file cannot be copied, only processed")
            }
            let name = task.input.relativePath
            let input = try RunnerFS.open(task.input.absolutePath, flags: O_RDONLY, operation: "open", name: name)
            let size = try input.status().size
            let reader = try NPYReader(source: FileRegionSource(descriptor: input, offset: 0, length: size), name: name,
                                       validateBools: false)
            let header = reader.header
            let available = max(0, size - header.dataOffset)
            guard available >= header.dataByteCount else {
                throw FileError(path: name, underlying: NPYFormatError.truncated(
                    section: .data, expected: header.dataByteCount, found: available))
            }
            let options = try task.engineOptions(settings)
            let plan = try ArrayDropoutPlan(header: header, key: task.arrayKey(forMember: nil), copy: task.copy,
                                            options: options, name: name)
            let packs = task.maskFormat == .packbits
            try outputs.data.setLength(Int64(plan.outputFileSize))
            if !packs { try outputs.mask?.setLength(Int64(plan.maskFileSize)) }
            try plan.writeHeaders(output: outputs.data.descriptor, mask: packs ? nil : outputs.mask?.descriptor)
            let perSegment = max(1, task.segmentHint.preferredSegmentBytes / header.dtype.itemSize)
            return NPYFileJob(plan: plan, input: input, elementsPerSegment: perSegment, packsMask: packs)
        } catch {
            throw InputErrorMessage.attribute(error, task: task, member: nil)
        }
    }

    /// The elements of segment `segment`.
    public func elements(ofSegment segment: Int) -> Range<Int> {
        let start = segment * elementsPerSegment
        return start..<(start + min(elementsPerSegment, plan.elementCount - start))
    }

    /// Transforms segment `segment` (reads its input elements, writes its result bytes and
    /// mask share) through `worker`'s buffers. Throws `RunnerError.array` naming the file
    /// (data cut short, a bool byte other than 0/1, I/O failure).
    func process(segment: Int, task: FileTask, outputs: FileOutputs, worker: DropoutWorker) throws {
        do {
            try plan.process(
                elements: elements(ofSegment: segment), input: input, inputDataOffset: plan.header.dataOffset,
                output: outputs.data.descriptor, outputDataOffset: plan.outputHeader.dataOffset,
                mask: packsMask ? nil : outputs.mask?.descriptor, maskDataOffset: plan.maskHeader.dataOffset,
                scratch: worker.scratch)
        } catch {
            throw InputErrorMessage.attribute(error, task: task, member: nil)
        }
    }

    /// With packed masks, writes the whole mask (packed header, then 8 flags a byte) once every
    /// segment is done; nothing otherwise. Throws `RunnerError.array` naming the file.
    func finishMask(task: FileTask, outputs: FileOutputs, worker: DropoutWorker) throws {
        guard packsMask, let mask = outputs.mask?.descriptor else { return }
        do {
            var offset = 0
            let packed = PackedMaskSink(boolHeaderLength: plan.maskHeader.dataOffset, count: plan.noiseElementCount) {
                try mask.pwriteAll($0, at: offset)
                offset += $0.count
            }
            try plan.writeMask(to: packed, name: task.input.relativePath, scratch: worker.scratch)
            try packed.finish()
            try outputs.mask?.setLength(Int64(offset))
        } catch {
            throw InputErrorMessage.attribute(error, task: task, member: nil)
        }
    }

    /// The array's report once every segment is done.
    func outcome(outputs: FileOutputs) -> FileOutcome {
        let header = plan.header
        var array = ArrayOutcome(member: nil, status: .processed, shape: header.shape, dtype: header.dtype.descr,
                                 fortranOrder: header.fortranOrder, noiseShape: plan.noiseDims)
        array.outputDType = plan.outputDType.descr
        return FileOutcome(arrays: [array], maskWritten: outputs.mask != nil)
    }
}
