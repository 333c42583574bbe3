import NPDropCSupport
import NPDropPlatform

/// The CRC-32C (Castagnoli) of a file, gathered from the bytes that pass through its
/// descriptor as they are read or written, in any order and from several threads: each
/// positioned piece is checksummed where it passes (the bytes are in cache), pieces are kept
/// sorted and joined with `npdrop_crc32c_combine` as they become adjacent, and `crc32c(size:...)`
/// reads only what never passed (a gap) to give the checksum of bytes `0..<size`.
///
/// Reads record what the file holds (a range read twice keeps its first checksum: the file is
/// not expected to change under the reader). Writes record what it will hold: a write over
/// recorded bytes has its difference folded in (`npdrop_crc32c_replace`, old bytes read back
/// through the descriptor) or, when they cannot be read, drops the pieces it touches (they become
/// gaps, read at the end). A truncation drops what lies past the new end. So the result always
/// equals the checksum of the file's bytes at the end, provided every change of the file went
/// through the descriptor that records into this digest.
public final class ByteRangeDigest: @unchecked Sendable {
    /// A checksummed range of the file.
    struct Piece {
        var start: Int
        var end: Int
        var crc: UInt32
        var count: Int { end - start }
    }

    private let mutex = PlatformMutex()
    /// Sorted, disjoint, never adjacent (adjacent pieces are joined).
    private var pieces: [Piece] = []

    /// An empty digest (nothing recorded: `crc32c` reads the whole file).
    public init() {}

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        try mutex.locked(body)
    }

    /// The CRC-32C of `bytes` (0 for none).
    public static func crc32c(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return crc }
        return npdrop_crc32c(crc, base, bytes.count)
    }

    /// Records that the file holds `bytes` at `offset` (they were just read from it).
    public func recordRead(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        guard !bytes.isEmpty, offset >= 0 else { return }
        let whole = Self.crc32c(bytes)
        locked {
            let end = offset + bytes.count
            let touching = overlapping(offset, end)
            if touching.isEmpty {
                insert(Piece(start: offset, end: end, crc: whole))
                return
            }
            // Keep what is known; checksum only the parts of this read not yet covered.
            var cursor = offset
            var fresh: [Piece] = []
            for piece in pieces[touching] {
                if piece.start > cursor { fresh.append(slice(bytes, offset, cursor, piece.start)) }
                cursor = max(cursor, piece.end)
            }
            if cursor < end { fresh.append(slice(bytes, offset, cursor, end)) }
            for piece in fresh { insert(piece) }
        }
    }

    /// Records that `bytes` are about to be written at `offset`; `readOld` reads the file's
    /// current bytes at an offset (for a write over recorded bytes), or throws when it cannot.
    public func recordWrite(
        _ bytes: UnsafeRawBufferPointer, at offset: Int,
        readingOld readOld: (UnsafeMutableRawBufferPointer, Int) throws -> Int
    ) {
        guard !bytes.isEmpty, offset >= 0 else { return }
        let whole = Self.crc32c(bytes)
        locked {
            let end = offset + bytes.count
            let touching = overlapping(offset, end)
            if touching.isEmpty {
                insert(Piece(start: offset, end: end, crc: whole))
                return
            }
            var cursor = offset
            var fresh: [Piece] = []
            var kept: [Piece] = []
            for var piece in pieces[touching] {
                if piece.start > cursor { fresh.append(slice(bytes, offset, cursor, piece.start)) }
                let from = max(piece.start, offset)
                let to = min(piece.end, end)
                if let patched = replacing(piece.crc, from..<to, in: piece, with: bytes, writtenAt: offset, readOld) {
                    piece.crc = patched
                    kept.append(piece)
                }
                cursor = max(cursor, to)
            }
            if cursor < end { fresh.append(slice(bytes, offset, cursor, end)) }
            pieces.removeSubrange(touching)
            for piece in kept + fresh { insert(piece) }
        }
    }

    /// Records that the file was cut (or extended with zeros) to `length` bytes.
    public func recordTruncate(to length: Int) {
        locked {
            // A piece cut in two cannot keep its checksum: its part below `length` becomes a gap.
            while let last = pieces.last, last.end > length { pieces.removeLast() }
        }
    }

    /// Bytes of the file recorded so far (for tests: 0 means every byte would be read).
    public var recordedByteCount: Int {
        locked { pieces.reduce(0) { $0 + $1.count } }
    }

    /// The CRC-32C of the file's bytes `0..<size`: recorded pieces joined in order, every gap
    /// read through `read(buffer, offset)` (which must not record into this digest; it returns
    /// fewer bytes only at the end of the file) in chunks of at most 1 MiB. A recorded piece
    /// past `size` means the pieces cannot be trusted: the whole range is read. Throws what
    /// `read` throws, and `NPYStreamError.noProgress` when the file ends before `size`.
    public func crc32c(size: Int, readingGaps read: (UnsafeMutableRawBufferPointer, Int) throws -> Int) throws -> UInt32
    {
        var known = locked { pieces }
        if let last = known.last, last.end > size { known = [] }
        var buffer: UnsafeMutableRawBufferPointer?
        defer { buffer?.deallocate() }
        func readRange(_ start: Int, _ end: Int) throws -> UInt32 {
            if buffer == nil {
                buffer = .allocate(byteCount: max(1, min(1 << 20, end - start)), alignment: 64)
            }
            let chunk = buffer!
            var crc: UInt32 = 0
            var at = start
            while at < end {
                let want = UnsafeMutableRawBufferPointer(rebasing: chunk[0..<min(chunk.count, end - at)])
                let n = try read(want, at)
                if n <= 0 { throw NPYStreamError.noProgress(operation: "read") }
                crc = Self.crc32c(UnsafeRawBufferPointer(rebasing: want[0..<n]), continuing: crc)
                at += n
            }
            return crc
        }
        var crc: UInt32 = 0
        var cursor = 0
        for piece in known {
            if piece.start > cursor {
                crc = npdrop_crc32c_combine(crc, try readRange(cursor, piece.start), piece.start - cursor)
            }
            crc = npdrop_crc32c_combine(crc, piece.crc, piece.count)
            cursor = piece.end
        }
        if cursor < size { crc = npdrop_crc32c_combine(crc, try readRange(cursor, size), size - cursor) }
        return crc
    }

    // MARK: - Pieces (called with the mutex held)

    /// Indices of the pieces that share a byte with `start..<end`.
    private func overlapping(_ start: Int, _ end: Int) -> Range<Int> {
        let first = firstIndex(endingAfter: start)
        var last = first
        while last < pieces.count, pieces[last].start < end { last += 1 }
        return first..<last
    }

    /// The first piece whose end is past `offset` (binary search).
    private func firstIndex(endingAfter offset: Int) -> Int {
        var low = 0
        var high = pieces.count
        while low < high {
            let mid = (low + high) / 2
            if pieces[mid].end <= offset { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The piece of `bytes` (which start at file offset `base`) covering `start..<end`.
    private func slice(_ bytes: UnsafeRawBufferPointer, _ base: Int, _ start: Int, _ end: Int) -> Piece {
        Piece(
            start: start, end: end,
            crc: Self.crc32c(UnsafeRawBufferPointer(rebasing: bytes[(start - base)..<(end - base)])))
    }

    /// `crc` of `piece` after its bytes in `range` become the matching part of `bytes` (written
    /// at `base`); nil when the old bytes cannot be read back.
    private func replacing(
        _ crc: UInt32, _ range: Range<Int>, in piece: Piece, with bytes: UnsafeRawBufferPointer,
        writtenAt base: Int, _ readOld: (UnsafeMutableRawBufferPointer, Int) throws -> Int
    ) -> UInt32? {
        let old = UnsafeMutableRawBufferPointer.allocate(byteCount: range.count, alignment: 16)
        defer { old.deallocate() }
        guard let got = try? readOld(old, range.lowerBound), got == range.count else { return nil }
        let new = UnsafeRawBufferPointer(rebasing: bytes[(range.lowerBound - base)..<(range.upperBound - base)])
        return npdrop_crc32c_replace(crc, old.baseAddress, new.baseAddress, range.count, piece.end - range.upperBound)
    }

    /// Inserts `piece` (disjoint from every piece), joining it with adjacent neighbours.
    private func insert(_ piece: Piece) {
        var piece = piece
        var index = firstIndex(endingAfter: piece.start)
        // The neighbour before, ending exactly where this one starts.
        if index > 0, pieces[index - 1].end == piece.start {
            let before = pieces[index - 1]
            piece = Piece(
                start: before.start, end: piece.end, crc: npdrop_crc32c_combine(before.crc, piece.crc, piece.count))
            pieces.remove(at: index - 1)
            index -= 1
        }
        if index < pieces.count, pieces[index].start == piece.end {
            let after = pieces[index]
            piece = Piece(
                start: piece.start, end: after.end, crc: npdrop_crc32c_combine(piece.crc, after.crc, after.count))
            pieces[index] = piece
        } else {
            pieces.insert(piece, at: index)
        }
    }
}
