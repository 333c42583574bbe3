import DropoutEngine
import NPYFormat
import NPYStream

/// Positioned file I/O for the engine's per-array plan: the engine transforms chunks in memory;
/// these read them at their offsets in the input file and hand them, at their offsets, to the
/// outputs' `OutputSink`s (written into files by a run, compared with OUT by `verify`), so
/// several workers can share one file.
extension ArrayDropoutPlan {
    /// Writes the result header at offset 0 of `output` and, when given, the mask header at
    /// offset 0 of `mask` (positioned writes through the sinks). Data then goes at `outputHeader.dataOffset` and
    /// `maskHeader.dataOffset`; the files end at `outputFileSize` and `maskFileSize`.
    /// Throws the sinks' `FileError`s.
    public func writeHeaders(output: any OutputSink, mask: (any OutputSink)?) throws {
        try outputHeaderBytes.withUnsafeBytes { try output.write($0, at: 0) }
        if let mask {
            try maskHeaderBytes.withUnsafeBytes { try mask.write($0, at: 0) }
        }
    }

    /// Positioned segment, for several workers sharing one file: reads the data of `elements`
    /// from `input` (element `i` at `inputDataOffset + i * itemSize`, `pread`), transforms it
    /// chunk by chunk in `scratch` and writes it at the same place relative to
    /// `outputDataOffset` (`output.write(_:at:)`, once per chunk). With `mask`, also writes this segment's share of the mask
    /// data at `maskDataOffset + maskRange(forElements: elements)` — so segments that partition
    /// `0..<elementCount` (including the single segment `0..<0` of an empty array) together
    /// write the whole mask. Bytes never depend on the split, the chunk size or the order in
    /// which segments run. Checks bool bytes as it reads.
    /// Throws `FileError` naming the input (`name`, `member`) for data that ends early or an
    /// invalid bool byte, and the sinks' `FileError`s for I/O failures.
    public func process(
        elements: Range<Int>, input: FileDescriptor, inputDataOffset: Int,
        output: any OutputSink, outputDataOffset: Int, mask: (any OutputSink)?, maskDataOffset: Int,
        scratch: DropoutScratch, chunkElements: Int? = nil
    ) throws {
        precondition(elements.lowerBound >= 0 && elements.upperBound <= elementCount, "element range outside the array")
        let itemSize = header.dtype.itemSize
        let outputItemSize = outputDType.itemSize
        let step = elementsPerChunk(scratch, chunkElements)
        let validatesBools = header.dtype.kind == .bool
        try scratch.withBuffers { data, keep in
            var start = elements.lowerBound
            while start < elements.upperBound {
                let count = min(step, elements.upperBound - start)
                let chunk = start..<(start + count)
                let bytes = UnsafeMutableRawBufferPointer(rebasing: data[..<(count * itemSize)])
                let got = try input.pread(into: bytes, at: inputDataOffset + start * itemSize)
                if got < bytes.count {
                    throw FileError(
                        path: name, member: member,
                        underlying: NPYFormatError.truncated(
                            section: .data, expected: header.dataByteCount, found: start * itemSize + got))
                }
                if validatesBools {
                    try FileError.wrapping(path: name, member: member) {
                        try BoolValidator.validate(UnsafeRawBufferPointer(bytes), dataOffset: start)
                    }
                }
                let result = transform(bytes, elements: chunk, keep: keep, flagsNeeded: mask != nil && masksInStep)
                try output.write(result, at: outputDataOffset + start * outputItemSize)
                if let mask {
                    if masksInStep {
                        let flags = UnsafeBufferPointer(rebasing: keep[..<count])
                        try mask.write(UnsafeRawBufferPointer(flags), at: maskDataOffset + start)
                    } else {
                        try writeMaskData(
                            maskRange(forElements: chunk), to: mask, maskDataOffset: maskDataOffset, keep: keep)
                    }
                }
                start += count
            }
            if elementCount == 0, let mask {
                try writeMaskData(maskRange(forElements: 0..<0), to: mask, maskDataOffset: maskDataOffset, keep: keep)
            }
        }
    }

    /// Writes the whole mask — header at offset 0, then every noise flag — to `mask` with
    /// positioned writes, through `scratch`, without touching array data: for callers that
    /// process segments with `mask: nil` and write the mask on its own. Throws the sink's
    /// `FileError`.
    public func writeMask(to mask: any OutputSink, scratch: DropoutScratch) throws {
        try maskHeaderBytes.withUnsafeBytes { try mask.write($0, at: 0) }
        try scratch.withBuffers { _, keep in
            try writeMaskData(0..<noiseElementCount, to: mask, maskDataOffset: maskHeader.dataOffset, keep: keep)
        }
    }

    /// Writes mask data `noise` at `maskDataOffset + noise.lowerBound` of `mask` through `keep`.
    private func writeMaskData(
        _ noise: Range<Int>, to mask: any OutputSink, maskDataOffset: Int, keep: UnsafeMutableBufferPointer<UInt8>
    ) throws {
        var offset = maskDataOffset + noise.lowerBound
        try writeMask(noise, keep: keep) { piece in
            try mask.write(piece, at: offset)
            offset += piece.count
        }
    }
}
