import DropoutEngine
import NPYFormat
import NPYStream
import NPZContainer

/// Dropout of one `.npz` archive, in one segment: every member is streamed, in archive order,
/// into the output archive — through the engine's plan when the member is selected (its keep
/// mask going into the mask archive under the same entry name), unchanged otherwise. The archive comment is kept. Members
/// whose names do not end in `.npy` are not arrays: they are copied and not reported.
///
/// Output members are encoded as `request.encoding` says (`input`: stored or deflated like the
/// input member). A member copied unchanged keeps its stored data byte for byte when it is to be
/// stored or deflated as it was (whatever the level); otherwise it is inflated or deflated anew.
/// Either way its CRC-32 and sizes are checked as it is read.
public final class NPZFileJob: Sendable {
    /// The request the job was made for.
    public let request: FileRequest
    private let archive: ZipArchiveReader

    private init(request: FileRequest, archive: ZipArchiveReader) {
        self.request = request
        self.archive = archive
    }

    /// The archive's comment, written through to the output archive.
    public var comment: [UInt8] { archive.comment }

    /// Opens the archive and reads its central directory within `limits`. Throws
    /// `FileError` naming the file when it is not a readable zip archive.
    public static func prepare(_ request: FileRequest, limits: ZipLimits = .default) throws -> NPZFileJob {
        do {
            return NPZFileJob(
                request: request,
                archive: try ZipArchiveReader(
                    path: request.path, limits: limits,
                    digest: request.inputDigest))
        } catch {
            throw FileError.attributing(error, to: request, member: nil)
        }
    }

    /// Writes the output archive (and the mask archive when some member is processed and a
    /// mask target is given) and reports every array member. A member that fails stops the
    /// file: it is reported `.failed` with its message, the members after it are reported
    /// without shapes, and the targets are left unfinished (the caller discards them).
    /// Throws `FileError` for failures of the archive as a whole (writing the outputs).
    public func run(targets: FileTargets, worker: DropoutWorker) throws -> FileOutcome {
        let writer = archiveWriter(into: targets.data)
        var maskWriter: ZipArchiveWriter?
        var arrays: [ArrayOutcome] = []
        var failed = false
        for entry in archive.entries {
            let isArray = entry.name.hasSuffix(".npy")
            var action = MemberAction.copy
            var actionError: (any Error)?
            if isArray {
                do { action = try request.action(entry.name) } catch { actionError = error }
            }
            if failed {
                if isArray {
                    let status: ArrayOutcome.Status
                    if case .copy = action, actionError == nil { status = .copied } else { status = .processed }
                    arrays.append(ArrayOutcome(member: entry.name, status: status))
                }
                continue
            }
            let method = request.encoding.writeMethod(forInput: entry.method)
            var array = ArrayOutcome(member: entry.name, status: .copied)
            do {
                if let actionError { throw actionError }
                switch action {
                case .copy:
                    try copy(entry, to: writer, method: method, report: &array, worker: worker)
                case .process(let options):
                    let openMask = { () -> ZipArchiveWriter? in
                        if maskWriter == nil, let mask = targets.mask {
                            maskWriter = self.archiveWriter(into: mask)
                        }
                        return maskWriter
                    }
                    let transformed = try process(
                        entry, options: options, to: writer, mask: openMask, method: method,
                        report: &array, worker: worker)
                    if !transformed {
                        // A dtype the request leaves alone, or one npdrop does not transform: copied.
                        let reason = array.reason
                        try copy(entry, to: writer, method: method, report: &array, worker: worker)
                        array.reason = reason
                    }
                }
            } catch {
                array.status = .failed(FileError.attributing(error, to: request, member: entry.name).description)
                failed = true
            }
            if isArray { arrays.append(array) }
        }
        if !failed {
            do {
                try writer.finish(comment: archive.comment)
                try maskWriter?.finish()
            } catch {
                throw FileError.attributing(error, to: request, member: nil)
            }
            for (output, sink) in [(writer, targets.data), (maskWriter, targets.mask)] {
                if let output, output.comparesContent, let comparing = sink as? ComparingOutputSink {
                    comparing.recordContentComparison(difference: output.contentDifference)
                }
            }
        }
        return FileOutcome(arrays: arrays, maskWritten: maskWriter != nil && !failed)
    }

    /// The writer of the archive going to `sink`. Into a `ComparingOutputSink` (`verify`) when
    /// some member will be deflated: a writer comparing by content with the archive already
    /// there (deflated bytes may come from another engine; see `ZipContentCheck`), or, when that
    /// archive cannot be read, the byte comparison with the reason recorded. Otherwise a writer
    /// into `sink` (a file, or a byte for byte comparison when every member is stored).
    private func archiveWriter(into sink: any OutputSink) -> ZipArchiveWriter {
        if let comparing = sink as? ComparingOutputSink, comparing.exists,
            archive.entries.contains(where: { request.encoding.writeMethod(forInput: $0.method).method == .deflated })
        {
            do {
                return ZipArchiveWriter(
                    comparingContentOf: try ZipArchiveReader(path: comparing.existingPath), name: sink.name)
            } catch {
                comparing.recordContentComparison(difference: "not a readable zip archive: \(error)")
            }
        }
        return ZipArchiveWriter(sink: sink)
    }

    /// Copies `entry` unchanged, reporting its shape, dtype and order when its bytes start with
    /// a valid `.npy` header (a member that is not one is still copied, without them). When the
    /// output method is the input's, the stored data goes across as it is (no re-deflating); the
    /// member is still read to its end, which checks its CRC-32 and sizes.
    private func copy(
        _ entry: ZipEntry, to writer: ZipArchiveWriter, method: ZipWriteMethod,
        report: inout ArrayOutcome, worker: DropoutWorker
    ) throws {
        let source = try archive.openMember(entry)
        let tee: TeeByteSource
        if method.method == entry.method && !writer.comparesContent {
            let sink = try writer.beginCopiedMember(name: entry.name, copying: entry)
            source.storedDataTap = { (bytes) in try sink.write(bytes) }
            tee = TeeByteSource(source: source, sink: nil)
        } else {
            tee = TeeByteSource(source: source, sink: try writer.beginMember(name: entry.name, method: method))
        }
        if entry.name.hasSuffix(".npy"),
            let reader = try? NPYReader(source: tee, name: archive.path, member: entry.name, validateBools: false)
        {
            report.shape = reader.header.shape
            report.dtype = reader.header.dtype.descr
            report.fortranOrder = reader.header.fortranOrder
        }
        try worker.copyBuffer.withUnsafeMutableBytes { try tee.drain(using: $0) }
        try writer.finishMember()
    }

    /// Applies dropout to `entry` into a member of the same name in `writer` (and its mask into
    /// the archive `openMask()` opens). Returns false, having written nothing and set
    /// `report.reason`, when `request.copyReason` leaves the member's dtype alone or (with
    /// `request.copiesUntransformedDTypes`) npdrop does not transform it. Throws for a member
    /// with bytes after its array data.
    private func process(
        _ entry: ZipEntry, options: DropoutOptions, to writer: ZipArchiveWriter,
        mask openMask: () -> ZipArchiveWriter?, method: ZipWriteMethod, report: inout ArrayOutcome,
        worker: DropoutWorker
    ) throws -> Bool {
        let name = request.name
        let source = try archive.openMember(entry)
        let reader: NPYReader
        do {
            reader = try NPYReader(source: source, name: name, member: entry.name)
        } catch {
            guard request.copiesUntransformedDTypes, let refusal = CopiedArrayFile.untransformedDType(in: error) else {
                throw error
            }
            report.reason = CopiedArrayFile.reason(unsupported: refusal)
            return false
        }
        let header = reader.header
        if let reason = request.copyReason(entry.name, header.dtype) {
            report.reason = reason
            return false
        }
        let mask = openMask()
        report.shape = header.shape
        report.dtype = header.dtype.descr
        report.fortranOrder = header.fortranOrder
        let plan = try ArrayDropoutPlan(
            header: header, key: request.arrayKey(forMember: entry.name), copy: request.copy,
            options: options, name: name, member: entry.name)
        let sink = try writer.beginMember(name: entry.name, method: method)
        let maskSink = try mask?.beginMember(name: entry.name, method: method)
        // Packed masks: the bool mask's bytes are packed 8 flags a byte on their way to the member.
        let packed =
            request.maskFormat == .packbits
            ? maskSink.map { member in
                PackedMaskSink(boolHeaderLength: plan.maskHeader.dataOffset, count: plan.noiseElementCount) {
                    try member.write($0)
                }
            } : nil
        try plan.run(
            reader: reader, output: sink, outputName: writer.path, mask: packed ?? maskSink, maskName: mask?.path,
            scratch: worker.scratch)
        try packed?.finish()
        // The read that delivered the last byte checked the member's CRC-32; bytes after the
        // array's data are refused, as `npdrop apply` refuses them in an npz.
        if reader.trailingBytesSeen {
            throw FileError(path: name, member: entry.name, underlying: DropoutError.trailingBytes)
        }
        try writer.finishMember()
        try mask?.finishMember()
        report.status = .processed
        report.noiseShape = plan.noiseDims
        report.outputDType = plan.outputDType.descr
        return true
    }
}
