import NPDropISAL

/// An ISA-L deflate stream at level 1 that compresses one block of a member at a time (raw deflate,
/// as zip uses). Owns its `isal_zstream` and level buffer, freed on deinit.
///
/// Determinism: ISA-L's bytes depend on how input and output are handed over, so each block is
/// compressed by one `isal_deflate` call over all its input, into an output buffer whose size depends
/// only on the input length (`outputBound`), with a level buffer of the fixed size
/// `ISAL_DEF_LVL1_DEFAULT`. The dictionary goes through `isal_deflate_set_dict` (the stateless call
/// ignores dictionaries in ISA-L 2.30).
final class IsalDeflateStream {
    private let stream: UnsafeMutablePointer<isal_zstream>
    private let levelBuffer: UnsafeMutableRawBufferPointer

    init() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: isal_zstream())
        levelBuffer = .allocate(byteCount: Int(npdrop_isal_level1_buffer_size()), alignment: 64)
    }

    deinit {
        stream.deinitialize(count: 1)
        stream.deallocate()
        levelBuffer.deallocate()
    }

    /// Room `compressBlock` needs for `sourceLength` input bytes: ISA-L falls back to stored blocks
    /// (5 bytes per 64 KiB) when Huffman coding does not pay, plus a block header and a sync flush.
    static func outputBound(sourceLength: Int) -> Int {
        sourceLength + sourceLength / 64 + 1_024
    }

    /// Deflates `input` as one piece of a raw deflate stream: history primed with `dictionary` (its last
    /// 32 KiB), ended with a sync flush, or with the final block when `isLast`. Writes into `output`
    /// (at least `outputBound(sourceLength: input.count)` bytes) and returns the count written.
    /// Throws `ZipError.zlib` (operation `isal_deflate`) when ISA-L fails or does not finish in one call.
    func compressBlock(
        _ input: UnsafeRawBufferPointer, dictionary: UnsafeRawBufferPointer, isLast: Bool,
        into output: UnsafeMutableRawBufferPointer
    ) throws(ZipError) -> Int {
        precondition(output.count >= Self.outputBound(sourceLength: input.count), "output below the bound")
        precondition(input.count <= Int(UInt32.max) / 2, "block too large for one isal_deflate call")
        isal_deflate_init(stream)
        stream.pointee.level = UInt32(DeflateEngine.isalLevel)
        stream.pointee.level_buf = levelBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.level_buf_size = UInt32(levelBuffer.count)
        stream.pointee.gzip_flag = UInt16(IGZIP_DEFLATE)
        stream.pointee.flush = UInt16(isLast ? NO_FLUSH : SYNC_FLUSH)
        stream.pointee.end_of_stream = isLast ? 1 : 0
        if dictionary.count > 0 {
            let tail = UnsafeRawBufferPointer(rebasing: dictionary[max(0, dictionary.count - 32_768)...])
            let status = isal_deflate_set_dict(
                stream, UnsafeMutablePointer(mutating: tail.baseAddress!.assumingMemoryBound(to: UInt8.self)),
                UInt32(tail.count))
            guard status == COMP_OK else {
                throw ZipError.zlib(operation: "isal_deflate_set_dict", code: status, message: "status \(status)")
            }
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = UInt32(min(output.count, Int(UInt32.max) / 2))
        let availableOut = Int(stream.pointee.avail_out)
        let status = isal_deflate(stream)
        let produced = availableOut - Int(stream.pointee.avail_out)
        let unread = Int(stream.pointee.avail_in)
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        guard status == COMP_OK else {
            throw ZipError.zlib(operation: "isal_deflate", code: status, message: "status \(status)")
        }
        let complete = isLast ? npdrop_isal_deflate_has_ended(stream) != 0 : npdrop_isal_deflate_is_flushed(stream) != 0
        guard unread == 0, complete else {
            throw ZipError.zlib(
                operation: "isal_deflate", code: -5,
                message: "block of \(input.count) bytes not finished within \(output.count) bytes")
        }
        return produced
    }
}
