import DropoutEngine
import NPYFormat
import NPYStream
import NPZContainer

/// Dropout of one `.npz` archive, in one segment: every member is streamed, in archive order,
/// into the output archive — through the engine's plan when the member is selected (its keep
/// mask going into the mask archive under the same entry name), unchanged otherwise. Members
/// whose names do not end in `.npy` are not arrays: they are copied and not reported.
///
/// Output members are encoded as `task.memberEncoding` says (`input`: stored or deflated like the
/// input member). A member copied unchanged keeps its stored data byte for byte when it is to be
/// stored or deflated as it was (whatever the level); otherwise it is inflated or deflated anew.
/// Either way its CRC-32 and sizes are checked as it is read.
public final class NPZFileJob: Sendable {
    private let archive: ZipArchiveReader
    private let result = Locked<FileOutcome?>(nil)

    private init(archive: ZipArchiveReader) {
        self.archive = archive
    }

    /// Opens the archive and reads its central directory within `limits`. Throws
    /// `RunnerError.array` naming the file when it is not a readable zip archive.
    static func prepare(_ task: FileTask, limits: ZipLimits = .default) throws -> NPZFileJob {
        do {
            return NPZFileJob(archive: try ZipArchiveReader(path: task.input.absolutePath, limits: limits))
        } catch {
            throw InputErrorMessage.attribute(error, task: task, member: nil)
        }
    }

    /// Writes the output archive (and the mask archive when some member is processed and masks
    /// are on). A member that fails stops the file: it is reported `.failed` with its message,
    /// the members after it are reported without shapes, and the runner writes nothing.
    /// Throws `RunnerError.array` for failures of the archive as a whole (writing the outputs).
    func process(_ task: FileTask, outputs: FileOutputs, worker: DropoutWorker) throws {
        let writer = ZipArchiveWriter(descriptor: outputs.data.descriptor.rawValue, name: outputs.data.finalPath)
        var maskWriter: ZipArchiveWriter?
        var arrays: [ArrayOutcome] = []
        var failed = false
        for entry in archive.entries {
            let isArray = entry.name.hasSuffix(".npy")
            let action = isArray ? task.action(forMember: entry.name) : .copy
            if failed {
                if isArray { arrays.append(ArrayOutcome(member: entry.name, status: action == .copy ? .copied : .processed)) }
                continue
            }
            let method = task.memberEncoding.writeMethod(forInput: entry.method)
            var array = ArrayOutcome(member: entry.name, status: .copied)
            do {
                switch action {
                case .copy:
                    try copy(entry, to: writer, method: method, report: &array, worker: worker)
                case .process(let settings):
                    if maskWriter == nil, let mask = outputs.mask {
                        maskWriter = ZipArchiveWriter(descriptor: mask.descriptor.rawValue, name: mask.finalPath)
                    }
                    try process(entry, settings: settings, task: task, to: writer, mask: maskWriter, method: method,
                                report: &array, worker: worker)
                }
            } catch {
                array.status = .failed(InputErrorMessage.attribute(error, task: task, member: entry.name).description)
                failed = true
            }
            if isArray { arrays.append(array) }
        }
        if !failed {
            do {
                try writer.finish(comment: archive.comment)
                try maskWriter?.finish()
            } catch {
                throw InputErrorMessage.attribute(error, task: task, member: nil)
            }
        }
        let outcome = FileOutcome(arrays: arrays, maskWritten: maskWriter != nil && !failed)
        result.withLock { $0 = outcome }
    }

    /// What `process` found.
    func outcome() throws -> FileOutcome {
        guard let outcome = result.withLock({ $0 }) else {
            throw RunnerError.array(member: nil, message: "\(archive.path): finished before it was processed")
        }
        return outcome
    }

    /// Copies `entry` unchanged, reporting its shape, dtype and order when its bytes start with
    /// a valid `.npy` header (a member that is not one is still copied, without them). When the
    /// output method is the input's, the stored data goes across as it is (no re-deflating); the
    /// member is still read to its end, which checks its CRC-32 and sizes.
    private func copy(_ entry: ZipEntry, to writer: ZipArchiveWriter, method: ZipWriteMethod,
                      report: inout ArrayOutcome, worker: DropoutWorker) throws {
        let source = try archive.openMember(entry)
        let tee: TeeByteSource
        if method.method == entry.method {
            let sink = try writer.beginCopiedMember(name: entry.name, copying: entry)
            source.storedDataTap = { (bytes) throws(ZipError) in try sink.write(bytes) }
            tee = TeeByteSource(source: source, sink: nil)
        } else {
            tee = TeeByteSource(source: source, sink: try writer.beginMember(name: entry.name, method: method))
        }
        if entry.name.hasSuffix(".npy"),
           let reader = try? NPYReader(source: tee, name: archive.path, member: entry.name, validateBools: false) {
            report.shape = reader.header.shape
            report.dtype = reader.header.dtype.descr
            report.fortranOrder = reader.header.fortranOrder
        }
        try worker.copyBuffer.withUnsafeMutableBytes { try tee.drain(using: $0) }
        try writer.finishMember()
    }

    /// Applies dropout to `entry` into a member of the same name in `writer` (and its mask into
    /// `mask`). Throws for a member with bytes after its array data.
    private func process(_ entry: ZipEntry, settings: DropoutSettings, task: FileTask, to writer: ZipArchiveWriter,
                         mask: ZipArchiveWriter?, method: ZipWriteMethod, report: inout ArrayOutcome,
                         worker: DropoutWorker) throws {
        let name = task.input.relativePath
        let source = try archive.openMember(entry)
        let reader = try NPYReader(source: source, name: name, member: entry.name)
        let header = reader.header
        report.shape = header.shape
        report.dtype = header.dtype.descr
        report.fortranOrder = header.fortranOrder
        let options = try task.engineOptions(settings)
        let plan = try ArrayDropoutPlan(header: header, key: task.arrayKey(forMember: entry.name), copy: task.copy,
                                        options: options, name: name, member: entry.name)
        let sink = try writer.beginMember(name: entry.name, method: method)
        let maskSink = try mask?.beginMember(name: entry.name, method: method)
        // Packed masks: the bool mask's bytes are packed 8 flags a byte on their way to the member.
        let packed = task.maskFormat == .packbits ? maskSink.map { member in
            PackedMaskSink(boolHeaderLength: plan.maskHeader.dataOffset, count: plan.noiseElementCount) { try member.write($0) }
        } : nil
        try plan.run(reader: reader, output: sink, outputName: writer.path, mask: packed ?? maskSink, maskName: mask?.path,
                     scratch: worker.scratch)
        try packed?.finish()
        // The read that delivered the last byte checked the member's CRC-32; bytes after the
        // array's data are refused, as `npdrop apply` refuses them in an npz.
        if reader.trailingBytesSeen {
            throw DropoutError.trailingBytes.inArray(file: name, member: entry.name)
        }
        try writer.finishMember()
        try mask?.finishMember()
        report.status = .processed
        report.noiseShape = plan.noiseDims
        report.outputDType = plan.outputDType.descr
    }
}
