import DropoutEngine
import NPYFormat
import NPYStream

/// Dropout of one `.npy` file, split into segments of whole elements that workers process at
/// the same time: each reads its elements with `pread` and hands the result (and its share of
/// the mask) to the targets' `OutputSink`s at the same offsets it would have in an unsplit run,
/// so the bytes never depend on the split.
public final class NPYFileJob: Sendable {
    /// The request the job was made for.
    public let request: FileRequest
    /// The engine's plan for the array (headers, noise, kernel, stream).
    public let plan: ArrayDropoutPlan
    /// Elements per segment (the last one may be shorter).
    public let elementsPerSegment: Int
    /// Number of segments, at least 1 (an empty array has the one segment `0..<0`).
    public let segmentCount: Int
    private let input: FileDescriptor
    private let targets: FileTargets
    /// Packed masks are written whole once the segments are done (`finishMask`), not by segments.
    private var packsMask: Bool { request.maskFormat == .packbits && targets.mask != nil }

    private init(
        request: FileRequest, plan: ArrayDropoutPlan, input: FileDescriptor, targets: FileTargets,
        elementsPerSegment: Int
    ) {
        self.request = request
        self.plan = plan
        self.input = input
        self.targets = targets
        self.elementsPerSegment = elementsPerSegment
        let count = plan.elementCount
        segmentCount = count == 0 ? 1 : count / elementsPerSegment + (count % elementsPerSegment == 0 ? 0 : 1)
    }

    /// Opens the input, reads and checks its header (the file must hold every data byte the
    /// header announces), plans the array with the request's action, writes the result's
    /// `np.save` header and the mask's header at offset 0 of the targets, and sizes both to
    /// their final lengths. Segments hold about `request.segmentBytes` bytes of data. Throws
    /// `FileError` naming the file.
    public static func prepare(_ request: FileRequest, targets: FileTargets) throws -> NPYFileJob {
        switch try prepareOrCopy(request, targets: targets) {
        case .transform(let job):
            return job
        case .copy:
            throw FileError.attributing(
                FileJobMisuse(description: "an .npy file cannot be copied, only processed"),
                to: request, member: nil)
        }
    }

    /// What `prepareOrCopy` made.
    public enum Preparation: Sendable {
        /// The array is transformed.
        case transform(NPYFileJob)
        /// The file is carried over unchanged (its dtype is not transformed, or the request copies it).
        case copy(CopiedArrayFile)
    }

    /// `prepare`, except that a file the request copies, whose dtype `request.copyReason`
    /// leaves alone, or (with `request.copiesUntransformedDTypes`) whose dtype npdrop does not
    /// transform becomes a `CopiedArrayFile` after only its header was read.
    public static func prepareOrCopy(_ request: FileRequest, targets: FileTargets) throws -> Preparation {
        do {
            let name = request.name
            let input = try FileError.wrapping(path: name) {
                try FileDescriptor.openForReading(request.path, digest: request.inputDigest)
            }
            let size = try input.status().size
            let reader: NPYReader
            do {
                reader = try NPYReader(
                    source: FileRegionSource(descriptor: input, offset: 0, length: size, readAhead: 4096), name: name,
                    validateBools: false)
            } catch {
                guard request.copiesUntransformedDTypes, let refusal = CopiedArrayFile.untransformedDType(in: error)
                else {
                    throw error
                }
                return .copy(
                    CopiedArrayFile(
                        request: request, reason: CopiedArrayFile.reason(unsupported: refusal),
                        header: nil, input: input, targets: targets))
            }
            let header = reader.header
            guard case .process(let options) = try request.action(nil) else {
                return .copy(
                    CopiedArrayFile(request: request, reason: nil, header: header, input: input, targets: targets))
            }
            if let reason = request.copyReason(nil, header.dtype) {
                return .copy(
                    CopiedArrayFile(request: request, reason: reason, header: header, input: input, targets: targets))
            }
            let available = max(0, size - header.dataOffset)
            guard available >= header.dataByteCount else {
                throw FileError(
                    path: name,
                    underlying: NPYFormatError.truncated(
                        section: .data, expected: header.dataByteCount, found: available))
            }
            let plan = try ArrayDropoutPlan(
                header: header, key: request.arrayKey(forMember: nil), copy: request.copy,
                options: options, name: name)
            let packs = request.maskFormat == .packbits
            try targets.data.setLength(plan.outputFileSize)
            if !packs { try targets.mask?.setLength(plan.maskFileSize) }
            try plan.writeHeaders(output: targets.data, mask: packs ? nil : targets.mask)
            let perSegment = max(1, request.segmentBytes / header.dtype.itemSize)
            return .transform(
                NPYFileJob(
                    request: request, plan: plan, input: input, targets: targets,
                    elementsPerSegment: perSegment))
        } catch {
            throw FileError.attributing(error, to: request, member: nil)
        }
    }

    /// The elements of segment `segment`.
    public func elements(ofSegment segment: Int) -> Range<Int> {
        let start = segment * elementsPerSegment
        return start..<(start + min(elementsPerSegment, plan.elementCount - start))
    }

    /// Transforms segment `segment` (reads its input elements, writes its result bytes and
    /// mask share) through `worker`'s buffers. Throws `FileError` naming the file (data
    /// cut short, a bool byte other than 0/1, I/O failure).
    public func process(segment: Int, worker: DropoutWorker) throws {
        do {
            try plan.process(
                elements: elements(ofSegment: segment), input: input, inputDataOffset: plan.header.dataOffset,
                output: targets.data, outputDataOffset: plan.outputHeader.dataOffset,
                mask: packsMask ? nil : targets.mask, maskDataOffset: plan.maskHeader.dataOffset,
                scratch: worker.scratch)
        } catch {
            throw FileError.attributing(error, to: request, member: nil)
        }
    }

    /// With packed masks, writes the whole mask (packed header, then 8 flags a byte) once every
    /// segment is done; nothing otherwise. Throws what `attributing` makes of a failure.
    public func finishMask(worker: DropoutWorker) throws {
        guard packsMask, let mask = targets.mask else { return }
        do {
            var offset = 0
            let packed = PackedMaskSink(boolHeaderLength: plan.maskHeader.dataOffset, count: plan.noiseElementCount) {
                try mask.write($0, at: offset)
                offset += $0.count
            }
            try plan.writeMask(to: packed, name: request.name, scratch: worker.scratch)
            try packed.finish()
            try mask.setLength(offset)
        } catch {
            throw FileError.attributing(error, to: request, member: nil)
        }
    }

    /// The array's report once every segment is done.
    public func outcome() -> FileOutcome {
        let header = plan.header
        var array = ArrayOutcome(
            member: nil, status: .processed, shape: header.shape, dtype: header.dtype.descr,
            fortranOrder: header.fortranOrder, noiseShape: plan.noiseDims)
        array.outputDType = plan.outputDType.descr
        return FileOutcome(arrays: [array], maskWritten: targets.mask != nil)
    }
}
