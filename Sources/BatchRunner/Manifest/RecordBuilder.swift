import DropoutEngine
import DropoutFiles

/// Turns what happened to a file task into its manifest records.
enum RecordBuilder {
    /// A record for `member` of `task` with the settings fields filled from `action`.
    static func base(
        _ task: FileTask, member: String?, status: ManifestRecord.Status,
        action: ArrayAction
    ) -> ManifestRecord {
        var record = ManifestRecord(
            input: task.input.relativePath, member: member, copy: task.copy, output: nil, mask: nil,
            outputMember: nil, maskMember: nil, variant: nil, rate: nil, noiseShape: nil, shape: nil, dtype: nil,
            fortranOrder: nil, seed: task.seed, spawnKey: task.spawnKey(forMember: member), status: status,
            error: nil, noiseShapeSpec: nil, dataFormat: nil, scale: nil, fill: nil,
            compression: task.input.kind == .npz ? task.compression.rawValue : nil,
            compressionLevel: task.deflateRecord.level,
            deflateBlockSize: task.input.kind == .npz ? task.deflateBlockSize : nil,
            deflateEngine: task.deflateRecord.engine, isalVersion: task.deflateRecord.isalVersion,
            isalCheck: task.deflateRecord.isalCheck)
        if case .process(let settings) = action {
            record.variant = settings.variant.rawValue
            record.rate = settings.rate
            record.noiseShapeSpec = settings.noiseShape?.description
            record.dataFormat = settings.dataFormat.rawValue
            record.scale = settings.scale
            record.fill = settings.fill?.text
            record.rng = task.rng.rawValue
            if task.writesMasks { record.maskFormat = task.maskFormat.rawValue }
            if task.rng.isKeras {
                record.kerasCall = Int(task.kerasCall)
                record.kerasLayer = task.kerasLayer
            }
        }
        return record
    }

    private static func describeArray(_ array: ArrayOutcome, into record: inout ManifestRecord) {
        record.shape = array.shape
        record.dtype = array.dtype
        record.fortranOrder = array.fortranOrder
        record.outputDType = array.outputDType
    }

    /// The records of a finished task, in the order the processor reported the arrays.
    static func records(_ task: FileTask, result: FileTaskResult) -> [ManifestRecord] {
        switch result {
        case .committed(let outcome, let digests):
            return outcome.arrays.map { array in
                let action = task.action(forMember: array.member)
                let copied = array.status == .copied
                var record = base(
                    task, member: array.member, status: copied ? .copied : .ok, action: copied ? .copy : action)
                describeArray(array, into: &record)
                record.output = task.outputPath
                record.outputMember = array.member
                record.reason = array.reason
                record.inputSize = digests.input?.size
                record.inputMtimeNs = digests.input?.modificationTimeNanoseconds
                record.inputCRC32C = digests.input?.crc32c
                record.outputSize = digests.output?.size
                record.outputCRC32C = digests.output?.crc32c
                if !copied {
                    record.noiseShape = array.noiseShape
                    if outcome.maskWritten, let mask = task.maskPath {
                        record.mask = mask
                        record.maskMember = array.member
                        record.maskSize = digests.mask?.size
                        record.maskCRC32C = digests.mask?.crc32c
                    }
                }
                return record
            }
        case .interrupted:
            return []
        case .failed(let member, let message, let outcome):
            guard let outcome else {
                var record = base(task, member: member, status: .error, action: task.action(forMember: member))
                record.error = message
                return [record]
            }
            let culprit = member.map { "member '\($0)'" } ?? "another array"
            return outcome.arrays.map { array in
                var record = base(
                    task, member: array.member, status: .error, action: task.action(forMember: array.member))
                describeArray(array, into: &record)
                if case .failed(let own) = array.status {
                    record.error = own
                } else {
                    record.error = "\(task.input.relativePath): not written because \(culprit) of the same file failed"
                }
                return record
            }
        }
    }

    /// The error record of a walk problem (copy 0, no member).
    static func record(for issue: WalkIssue, seed: UInt64) -> ManifestRecord {
        ManifestRecord(
            input: issue.relativePath, member: nil, copy: 0, output: nil, mask: nil, outputMember: nil,
            maskMember: nil, variant: nil, rate: nil, noiseShape: nil, shape: nil, dtype: nil, fortranOrder: nil,
            seed: seed, spawnKey: ArrayKey(relpath: issue.relativePath).spawnKey(copy: 0),
            status: .error, error: "\(issue.relativePath): \(issue.message)", noiseShapeSpec: nil, dataFormat: nil,
            scale: nil, fill: nil, compression: nil)
    }
}
