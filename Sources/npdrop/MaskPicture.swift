import NPYFormat
import NPYStream

/// A 2-D slice of a keep mask drawn as characters (`#` kept, `.` dropped), with the slice's
/// indices in the margin: `npdrop inspect --show`. The mask may be shown at its own shape or,
/// next to the result it belongs to, broadcast to the result's shape (so `spatial1d` shows whole
/// columns dropped). Reads only the mask bytes up to the last cell shown, in chunks.
struct MaskPicture {
    /// At most this many rows and columns are drawn.
    static let maximumSide = 100

    var maskPath: String
    var resultPath: String?
    var maskShape: [Int]
    /// The shape the picture indexes: the result's, or the mask's own.
    var shownShape: [Int]
    /// One entry per axis: an index, or nil for the two axes drawn (rows, then columns).
    var slice: [Int?]
    /// `kept[row][column]`.
    var kept: [[Bool]]

    /// Reads the cells of `slice` (nil: index 0 on every leading axis) from the bool mask at
    /// `maskPath`, broadcast to the shape of `resultPath` when one is given.
    static func read(maskPath: String, resultPath: String?, slice requested: [SliceEntry]?) throws -> MaskPicture {
        let reader = try NPYReader.open(path: maskPath)
        let header = reader.header
        guard header.dtype.kind == .bool else {
            throw UsageError(
                "\(MessageText.escaped(maskPath)) is not a keep mask: its dtype is \(header.dtype.descr), a mask's is |b1 "
                    + "(for a result, give its mask with --mask, or show OUT/data/... next to OUT/masks/...)")
        }
        var shownShape = header.shape
        if let resultPath {
            let result = try NPYReader.open(path: resultPath).header
            let fits =
                result.shape.count == header.shape.count
                && zip(header.shape, result.shape).allSatisfy { $0 == 1 || $0 == $1 }
            guard fits else {
                throw UsageError(
                    "the mask \(MessageText.escaped(maskPath)) of shape \(NPYShapeText.python(header.shape)) does not "
                        + "broadcast to the result \(MessageText.escaped(resultPath)) of shape \(NPYShapeText.python(result.shape))"
                )
            }
            shownShape = result.shape
        }
        let slice = try resolve(requested, shape: shownShape)
        let drawn = slice.indices.filter { slice[$0] == nil }
        let rows = drawn.count == 2 ? min(shownShape[drawn[0]], maximumSide) : 1
        let columns = drawn.isEmpty ? 1 : min(shownShape[drawn.last!], maximumSide)

        // The mask's element offset of every cell, then one pass over the data up to the last.
        var strides = [Int](repeating: 1, count: header.shape.count)
        let axes = Array(header.shape.indices)
        var step = 1
        for axis in header.fortranOrder ? axes : axes.reversed() {
            strides[axis] = step
            step *= header.shape[axis]
        }
        var offsets = [[Int]](repeating: [Int](repeating: 0, count: columns), count: rows)
        for row in 0..<rows {
            for column in 0..<columns {
                var offset = 0
                for axis in axes where header.shape[axis] > 1 {
                    let index: Int
                    if let fixed = slice[axis] {
                        index = fixed
                    } else if drawn.count == 2 && axis == drawn[0] {
                        index = row
                    } else {
                        index = column
                    }
                    offset += index * strides[axis]
                }
                offsets[row][column] = offset
            }
        }
        let wanted = Set(offsets.joined())
        var values: [Int: Bool] = [:]
        if let last = wanted.max(), header.elementCount > 0 {
            let buffer = ChunkBuffer()
            var position = 0
            try buffer.withUnsafeMutableBytes { chunk in
                while position <= last {
                    let got = try reader.readChunk(into: chunk)
                    if got == 0 { break }
                    for index in 0..<got where wanted.contains(position + index) {
                        values[position + index] = chunk[index] != 0
                    }
                    position += got
                }
            }
        }
        let kept = offsets.map { $0.map { values[$0] ?? false } }
        return MaskPicture(
            maskPath: maskPath, resultPath: resultPath, maskShape: header.shape, shownShape: shownShape,
            slice: slice, kept: kept)
    }

    /// One `--slice` entry: an index or `:` (an axis drawn).
    enum SliceEntry: Equatable {
        case index(Int)
        case all
    }

    /// Parses `0,:,:` (one entry per axis) or `0` (indices of the leading axes only).
    static func parseSlice(_ text: String) throws -> [SliceEntry] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
            let entry = part.trimmingCharacters(in: " ")
            if entry == ":" { return .all }
            guard let index = Int(entry), index >= 0 else {
                throw UsageError(
                    "--slice '\(MessageText.escaped(text))': each entry must be an index (0, 1, ...) or ':'")
            }
            return .index(index)
        }
    }

    /// The slice for `shape`: default index 0 on every axis but the last two; indices checked.
    private static func resolve(_ requested: [SliceEntry]?, shape: [Int]) throws -> [Int?] {
        let rank = shape.count
        let drawnCount = min(rank, 2)
        var entries: [SliceEntry]
        if let requested {
            entries = requested
            if !entries.contains(.all) && entries.count == rank - drawnCount {
                entries += [SliceEntry](repeating: .all, count: drawnCount)
            }
        } else {
            entries =
                [SliceEntry](repeating: .index(0), count: rank - drawnCount)
                + [SliceEntry](repeating: .all, count: drawnCount)
        }
        let shown = "shape \(NPYShapeText.python(shape))"
        guard entries.count == rank else {
            throw UsageError(
                "--slice has \(entries.count) entries, \(shown) needs \(rank) (or \(rank - drawnCount) leading indices)"
            )
        }
        guard entries.filter({ $0 == .all }).count == drawnCount else {
            throw UsageError("--slice must mark \(drawnCount) axes with ':' for \(shown)")
        }
        return try entries.enumerated().map { axis, entry in
            guard case .index(let index) = entry else { return nil }
            guard index < shape[axis] else {
                throw UsageError(
                    "--slice index \(index) is out of range for axis \(axis) of size \(shape[axis]) (\(shown))")
            }
            return index
        }
    }

    /// The heading, a column-index margin every 5 columns, and one line per row.
    var text: String {
        let drawn = slice.indices.filter { slice[$0] == nil }
        let sliceText = "[" + slice.map { $0.map(String.init) ?? ":" }.joined(separator: ", ") + "]"
        var heading = MessageText.escaped(maskPath) + ": keep mask \(NPYShapeText.python(maskShape))"
        if let resultPath {
            heading += " of \(MessageText.escaped(resultPath)) \(NPYShapeText.python(shownShape))"
        }
        heading += ", slice \(sliceText)"
        switch drawn.count {
        case 2: heading += ": rows are axis \(drawn[0]), columns axis \(drawn[1])"
        case 1: heading += ": columns are axis \(drawn[0])"
        default: break
        }
        heading += "; # kept, . dropped"
        let rows = kept.count, columns = kept.first?.count ?? 0
        let rowAxisSize = drawn.count == 2 ? shownShape[drawn[0]] : 1
        let columnAxisSize = drawn.isEmpty ? 1 : shownShape[drawn.last!]
        if rows < rowAxisSize || columns < columnAxisSize {
            heading += " (first \(rows) of \(rowAxisSize) rows, \(columns) of \(columnAxisSize) columns)"
        }
        let labelWidth = String(max(rows - 1, 0)).count
        // Every column is labelled while the labels are one digit, then every fifth.
        let labelStep = columns <= 10 ? 1 : 5
        var margin = [Character](repeating: " ", count: columns * 2 + 4)
        for column in stride(from: 0, to: columns, by: labelStep) {
            for (offset, digit) in String(column).enumerated() where column * 2 + offset < margin.count {
                margin[column * 2 + offset] = digit
            }
        }
        var lines = [heading, String(repeating: " ", count: labelWidth + 2) + String(margin).trimmingTrailingSpaces]
        for (row, cells) in kept.enumerated() {
            let label = String(row)
            let padded = String(repeating: " ", count: labelWidth - label.count) + label
            lines.append(padded + "  " + cells.map { $0 ? "#" : "." }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}

private extension String {
    func trimmingCharacters(in characters: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, characters.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, characters.contains(last) { scalars.removeLast() }
        return String(scalars)
    }

    var trimmingTrailingSpaces: String {
        var text = Substring(self)
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}

private extension Substring {
    func trimmingCharacters(in characters: String) -> String { String(self).trimmingCharacters(in: characters) }
}
