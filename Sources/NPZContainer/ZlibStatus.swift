import NPDropZlib

/// How much of a buffer pair one zlib call used, and whether the stream ended.
public struct ZlibProgress: Sendable, Hashable {
    /// Input bytes taken.
    public var consumed: Int
    /// Output bytes written.
    public var produced: Int
    /// True once the end of the deflate stream was written (deflate, `.finish`) or read (inflate).
    public var streamEnded: Bool
}

/// The flush mode for `DeflateStream.process`.
public enum DeflateFlush: Sendable, Hashable {
    /// Compress as zlib sees fit (`Z_NO_FLUSH`).
    case none
    /// Emit all pending output and end on a byte boundary with an empty stored block
    /// (`Z_SYNC_FLUSH`): independently deflated blocks can then be concatenated.
    case sync
    /// Like `.sync` and also reset the history (`Z_FULL_FLUSH`).
    case full
    /// Write the final block (`Z_FINISH`); repeat with more output space until `streamEnded`.
    case finish

    var zlibValue: Int32 {
        switch self {
        case .none: return Z_NO_FLUSH
        case .sync: return Z_SYNC_FLUSH
        case .full: return Z_FULL_FLUSH
        case .finish: return Z_FINISH
        }
    }
}

/// zlib's message for a stream, or a generic one.
func zlibMessage(_ stream: UnsafeMutablePointer<z_stream>, code: Int32) -> String {
    if let msg = stream.pointee.msg { return String(cString: msg) }
    switch code {
    case Z_DATA_ERROR: return "invalid data"
    case Z_MEM_ERROR: return "out of memory"
    case Z_STREAM_ERROR: return "inconsistent stream state"
    case Z_BUF_ERROR: return "no progress possible"
    case Z_VERSION_ERROR: return "incompatible zlib version"
    case Z_NEED_DICT: return "a preset dictionary is needed"
    default: return "status \(code)"
    }
}

/// The largest count passed to zlib in one call (its counters are 32-bit).
let zlibMaxChunk = 1 << 30
