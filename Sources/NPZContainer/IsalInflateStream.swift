import NPDropISAL

/// An ISA-L inflate stream over raw deflate (`isal_inflate`), with the calling conventions of
/// `InflateStream`. Owns its `inflate_state` (about 40 KiB), freed on deinit.
///
/// ISA-L reads up to 8 bytes ahead into a bit buffer; `lookaheadBytes` says how many of the bytes it
/// took are, once the stream has ended, not part of it (so the member's compressed size can be checked).
final class IsalInflateStream {
    private let state: UnsafeMutablePointer<inflate_state>

    init() {
        state = .allocate(capacity: 1)
        state.initialize(to: inflate_state())
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_DEFLATE)
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Bytes taken from the input but still in ISA-L's bit buffer (after the end: bytes past the stream).
    var lookaheadBytes: Int { max(0, Int(state.pointee.read_in_length)) / 8 }

    /// Inflates from `input` into `output` with one `isal_inflate` call (at most 1 GiB of each). A
    /// call that takes nothing and produces nothing without ending the stream means more input is
    /// needed. Throws `ZipError.zlib` (operation `isal_inflate`) with zlib's wording on corrupt data.
    func process(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws(ZipError) -> ZlibProgress {
        if npdrop_isal_inflate_has_ended(state) != 0 {
            return ZlibProgress(consumed: 0, produced: 0, streamEnded: true)
        }
        let inCount = min(input.count, zlibMaxChunk)
        let outCount = min(output.count, zlibMaxChunk)
        state.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        state.pointee.avail_in = UInt32(inCount)
        state.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        state.pointee.avail_out = UInt32(outCount)
        let status = isal_inflate(state)
        let consumed = inCount - Int(state.pointee.avail_in)
        let produced = outCount - Int(state.pointee.avail_out)
        state.pointee.next_in = nil
        state.pointee.next_out = nil
        guard status >= 0 else {
            throw ZipError.zlib(operation: "isal_inflate", code: status, message: Self.message(status))
        }
        return ZlibProgress(
            consumed: consumed, produced: produced, streamEnded: npdrop_isal_inflate_has_ended(state) != 0)
    }

    /// zlib's words for ISA-L's inflate errors, so messages read the same with either inflater.
    static func message(_ status: Int32) -> String {
        switch status {
        case ISAL_INVALID_BLOCK: return "invalid block type"
        case ISAL_INVALID_SYMBOL: return "invalid code"
        case ISAL_INVALID_LOOKBACK: return "invalid distance too far back"
        case ISAL_NEED_DICT: return "a preset dictionary is needed"
        default: return "status \(status)"
        }
    }
}

/// The inflater a member is read with. ISA-L is the default: measured faster than zlib on float
/// and mask members alike (docs/npz.md); zlib stays selectable (tests run both).
enum MemberInflater {
    case zlib(InflateStream)
    case isal(IsalInflateStream)

    init(engine: DeflateEngine) throws(ZipError) {
        switch engine {
        case .zlib: self = .zlib(try InflateStream(windowBits: -15))
        case .isal: self = .isal(IsalInflateStream())
        }
    }

    func process(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws(ZipError) -> ZlibProgress {
        switch self {
        case .zlib(let stream): return try stream.process(input, into: output)
        case .isal(let stream): return try stream.process(input, into: output)
        }
    }

    /// Input bytes taken but not part of the stream so far (ISA-L's read-ahead; 0 for zlib).
    var lookaheadBytes: Int {
        switch self {
        case .zlib: return 0
        case .isal(let stream): return stream.lookaheadBytes
        }
    }
}
