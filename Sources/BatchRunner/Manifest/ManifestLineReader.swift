import NPDropPlatform
import NPYStream

/// Reads the lines of a manifest one at a time, in 64 KiB reads, up to the size the file had
/// when opened (what a run appends to it later is not read). Holds one chunk and the line
/// being read; a line longer than `maxLineBytes` is skipped and counted. The last line
/// may lack its newline (a killed run's cut-off line); it is returned too.
final class ManifestLineReader {
    private let file: FileDescriptor
    private let path: String
    private let end: Int
    private let maxLineBytes: Int
    private var offset = 0
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    /// The bytes read: the file's size when opened.
    var fileBytes: Int { end }
    /// Lines skipped for their length so far.
    private(set) var overlongLines = 0

    /// A reader of `path`; nil when there is no such file. Throws `RunnerError.io`.
    init?(path: String, maxLineBytes: Int) throws {
        let file: FileDescriptor
        do {
            file = try RunnerFS.open(path, flags: O_RDONLY, operation: "open")
        } catch RunnerError.io(_, _, let code) where code == ENOENT {
            return nil
        }
        self.file = file
        self.path = path
        self.maxLineBytes = maxLineBytes
        end = try RunnerFS.mappingErrors { Int(try file.status().size) }
    }

    /// Calls `body` with the next line (without its newline) and returns its result; nil at
    /// the end of the file. The bytes are valid only inside `body`. Throws `RunnerError.io`.
    func nextLine<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R? {
        var skipping = false
        var scanned = start
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
                let lineStart = start
                start = newline + 1
                if skipping { skipping = false; scanned = start; continue }
                if newline - lineStart > maxLineBytes { overlongLines += 1; scanned = start; continue }
                return try buffer.withUnsafeBufferPointer {
                    try body(UnsafeBufferPointer(rebasing: $0[lineStart..<newline]))
                }
            }
            if atEnd {
                guard start < buffer.count, !skipping else { return nil }
                let lineStart = start
                start = buffer.count
                if buffer.count - lineStart > maxLineBytes { overlongLines += 1; return nil }
                return try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[lineStart...])) }
            }
            // Keep the unfinished line (or drop it while skipping an overlong one), then read on.
            if skipping || buffer.count - start > maxLineBytes {
                if !skipping { overlongLines += 1 }
                skipping = true
                buffer.removeAll(keepingCapacity: true)
            } else {
                buffer.removeSubrange(0..<start)
            }
            start = 0
            scanned = buffer.count
            try readChunk()
        }
    }

    private func readChunk() throws {
        let want = min(64 * 1024, end - offset)
        guard want > 0 else { atEnd = true; return }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: want))
        let n = try RunnerFS.mappingErrors {
            try buffer.withUnsafeMutableBytes {
                try file.pread(into: UnsafeMutableRawBufferPointer(rebasing: $0[old...]), at: offset)
            }
        }
        buffer.removeSubrange((old + n)...)
        offset += n
        if n == 0 { atEnd = true }
    }
}
