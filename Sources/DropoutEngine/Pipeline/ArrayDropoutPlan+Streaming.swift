import NPYFormat
import NPYStream

extension ArrayDropoutPlan {
    /// Sequential streaming: writes the result's `np.save` header to `output` and the mask's
    /// (`|b1`, noise shape, C order) to `mask`, then reads the data from `reader` chunk by
    /// chunk (whole elements, `chunkElements` or as many as fit `scratch`), transforms each
    /// chunk in place and writes it, with the matching mask bytes. Memory: `scratch` only (and
    /// the plan's noise table, if any). The output never depends on the chunk size.
    ///
    /// `reader` must be positioned at the first data byte of the array this plan was made for
    /// (trap otherwise). It is left after the last data byte; trailing bytes are the caller's
    /// concern (`reader.trailingBytesSeen`). Output and mask members, if any, are `member`.
    /// Throws `FileError` naming the input (truncated data, bad bool bytes, I/O) or
    /// `outputName`/`maskName` (write failures).
    public func run(
        reader: NPYReader, output: any ByteSink, outputName: String, mask: (any ByteSink)?, maskName: String? = nil,
        scratch: DropoutScratch, chunkElements: Int? = nil
    ) throws {
        precondition(
            reader.header.dtype == header.dtype && reader.header.shape == header.shape
                && reader.header.fortranOrder == header.fortranOrder && reader.dataBytesRead == 0,
            "reader is not at the start of this plan's array data")
        let writer = try NPYWriter(sink: output, like: outputHeader, name: outputName, member: member)
        let maskWriter = try mask.map {
            try NPYWriter(
                sink: $0, dtype: KeepMask.dtype, fortranOrder: KeepMask.fortranOrder, shape: noiseDims,
                name: maskName ?? outputName, member: member)
        }
        let itemSize = header.dtype.itemSize
        let step = elementsPerChunk(scratch, chunkElements)
        try scratch.withBuffers { data, keep in
            var start = 0
            // Results the size of their input go straight into the output's memory when it lends
            // it (a deflate block's input): read, transformed there, never copied.
            let inPlace = kerasKernel == nil && writer.lendsMemory
            while start < elementCount {
                var count = min(step, elementCount - start)
                var lent = 0
                if inPlace {
                    lent = try writer.writeInPlace(limit: count * itemSize) { room in
                        let fitting = room.count / itemSize
                        guard fitting > 0 else { return 0 }
                        let bytes = UnsafeMutableRawBufferPointer(rebasing: room[..<(fitting * itemSize)])
                        let got = try reader.readChunk(into: bytes)
                        precondition(got == bytes.count, "NPYReader delivers whole requests or throws")
                        _ = transform(
                            bytes, elements: start..<(start + fitting), keep: keep,
                            flagsNeeded: maskWriter != nil && masksInStep)
                        return bytes.count
                    }
                    count = lent > 0 ? lent / itemSize : count
                }
                let elements = start..<(start + count)
                if lent == 0 {
                    let bytes = UnsafeMutableRawBufferPointer(rebasing: data[..<(count * itemSize)])
                    let got = try reader.readChunk(into: bytes)
                    precondition(got == bytes.count, "NPYReader delivers whole requests or throws")
                    let result = transform(
                        bytes, elements: elements, keep: keep, flagsNeeded: maskWriter != nil && masksInStep)
                    try writer.write(result)
                }
                if let maskWriter {
                    if masksInStep {
                        try maskWriter.write(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: keep[..<count])))
                    } else {
                        try writeMask(maskRange(forElements: elements), keep: keep) { try maskWriter.write($0) }
                    }
                }
                start += count
            }
            if elementCount == 0, let maskWriter {
                try writeMask(maskRange(forElements: 0..<0), keep: keep) { try maskWriter.write($0) }
            }
        }
        try writer.finish()
        try maskWriter?.finish()
    }

    /// Writes the whole mask (header and data) to `sink`, chunk by chunk through `scratch`,
    /// without touching any array data; for callers that write masks apart from results.
    /// Throws what `sink` throws, wrapped in a `FileError` naming `name`.
    public func writeMask(to sink: any ByteSink, name: String, scratch: DropoutScratch) throws {
        let maskWriter = try NPYWriter(
            sink: sink, dtype: KeepMask.dtype, fortranOrder: KeepMask.fortranOrder,
            shape: noiseDims, name: name, member: member)
        try scratch.withBuffers { _, keep in
            try writeMask(0..<noiseElementCount, keep: keep) { try maskWriter.write($0) }
        }
        try maskWriter.finish()
    }

    /// Elements per chunk: `requested` (at least 1) or as many as fit the scratch.
    public func elementsPerChunk(_ scratch: DropoutScratch, _ requested: Int?) -> Int {
        let fit = scratch.chunkBytes / (kerasKernel?.chunkItemSize ?? header.dtype.itemSize)
        guard let requested else { return fit }
        return max(1, min(requested, fit))
    }

    /// Fills the keep flags of `elements` (only when the kernel or `flagsNeeded` uses them)
    /// and applies the kernel to `bytes` in place (not at all when it is the identity).
    /// Returns the result bytes: `bytes` itself, or with a Keras kernel that changes the dtype
    /// the first `elements.count * outputDType.itemSize` bytes of the buffer `bytes` starts
    /// (which then holds `elements.count * kerasKernel.chunkItemSize` bytes).
    @inline(__always)
    public func transform(
        _ bytes: UnsafeMutableRawBufferPointer, elements: Range<Int>, keep: UnsafeMutableBufferPointer<UInt8>,
        flagsNeeded: Bool
    ) -> UnsafeRawBufferPointer {
        let flags = UnsafeMutableBufferPointer(rebasing: keep[..<elements.count])
        if flagsNeeded || !kernel.ignoresKeepFlags {
            fillElementKeep(elements, into: flags)
        }
        if let kerasKernel {
            guard let base = bytes.baseAddress else { return UnsafeRawBufferPointer(bytes) }
            let room = UnsafeMutableRawBufferPointer(start: base, count: elements.count * kerasKernel.chunkItemSize)
            let written = kerasKernel.apply(room, count: elements.count, keep: UnsafeBufferPointer(flags))
            return UnsafeRawBufferPointer(start: base, count: written)
        }
        if !kernel.isIdentity {
            kernel.apply(bytes, keep: UnsafeBufferPointer(flags))
        }
        return UnsafeRawBufferPointer(bytes)
    }

    /// Produces noise flags `noise` through `keep` in pieces and hands each piece to `emit`
    /// (in order, offset = piece start - `noise.lowerBound`).
    public func writeMask(
        _ noise: Range<Int>, keep: UnsafeMutableBufferPointer<UInt8>,
        _ emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var start = noise.lowerBound
        while start < noise.upperBound {
            let count = min(keep.count, noise.upperBound - start)
            let piece = UnsafeMutableBufferPointer(rebasing: keep[..<count])
            fillNoiseKeep(start..<(start + count), into: piece)
            try emit(UnsafeRawBufferPointer(UnsafeMutableRawBufferPointer(piece)))
            start += count
        }
    }
}
