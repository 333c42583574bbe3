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

    private init(plan: ArrayDropoutPlan, input: FileDescriptor, elementsPerSegment: Int) {
        self.plan = plan
        self.input = input
        self.elementsPerSegment = elementsPerSegment
        let count = plan.elementCount
        segmentCount = count == 0 ? 1 : count / elementsPerSegment + (count % elementsPerSegment == 0 ? 0 : 1)
    }

    /// Opens the input, reads and checks its header (the file must hold every data byte the
    /// header announces), plans the array with `task`'s settings, writes the result's
    /// `np.save` header and the mask's header at offset 0 of the outputs, and sizes both outputs
    /// to their final lengths. Segments hold about `task.segmentHint.preferredSegmentBytes`
    /// bytes of data. A file whose dtype `task` does not select (or npdrop does not transform),
    /// or that the task copies, is returned as a `CopiedArrayFile` instead, after reading only
    /// its header. Throws `RunnerError.array` naming the file.
    static func prepare(_ task: FileTask, outputs: FileOutputs) throws -> DropoutFileProcessor.FileState {
        do {
            let name = task.input.relativePath
            let input = try RunnerFS.open(task.input.absolutePath, flags: O_RDONLY, operation: "open", name: name)
            let size = try input.status().size
            let reader: NPYReader
            do {
                reader = try NPYReader(source: FileRegionSource(descriptor: input, offset: 0, length: size), name: name,
                                       validateBools: false)
            } catch {
                guard let refusal = CopiedArrayFile.isUntransformedDType(error) else { throw error }
                return .copied(CopiedArrayFile(reason: DTypeSelection.reason(unsupported: refusal), header: nil, input: input))
            }
            let header = reader.header
            let settings: DropoutSettings
            switch task.action(forMember: nil) {
            case .copy:
                return .copied(CopiedArrayFile(reason: "copied unchanged (recorded so)", header: header, input: input))
            case .process(let selected):
                guard selected.dtypes.selects(header.dtype) else {
                    return .copied(CopiedArrayFile(reason: selected.dtypes.reason(notSelecting: header.dtype),
                                                   header: header, input: input))
                }
                settings = selected
            }
            let available = max(0, size - header.dataOffset)
            guard available >= header.dataByteCount else {
                throw FileError(path: name, underlying: NPYFormatError.truncated(
                    section: .data, expected: header.dataByteCount, found: available))
            }
            let options = try task.engineOptions(settings)
            let plan = try ArrayDropoutPlan(header: header, key: task.arrayKey(forMember: nil), copy: task.copy,
                                            options: options, name: name)
            try outputs.data.setLength(Int64(plan.outputFileSize))
            try outputs.mask?.setLength(Int64(plan.maskFileSize))
            try plan.writeHeaders(output: outputs.data.descriptor, mask: outputs.mask?.descriptor)
            let perSegment = max(1, task.segmentHint.preferredSegmentBytes / header.dtype.itemSize)
            return .npy(NPYFileJob(plan: plan, input: input, elementsPerSegment: perSegment))
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
                mask: outputs.mask?.descriptor, maskDataOffset: plan.maskHeader.dataOffset, scratch: worker.scratch)
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
