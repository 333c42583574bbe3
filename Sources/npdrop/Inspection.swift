import BatchRunner
import NPYFormat
import NPYStream

/// What `npdrop inspect` reports about one `.npy` file.
struct Inspection {
    var file: String
    var array: ArrayDescription
    /// Bytes after the data (ignored on reading, as `np.load` does).
    var trailingBytes: Int

    /// Reads the header of `path` (`-` for stdin) and checks that all data bytes are present:
    /// from the file size for a regular file (the data is not read), by reading the data
    /// (which also checks bool bytes) for a pipe. The header of a dtype npdrop does not transform
    /// is shown as written and its data is not read. Throws a `FileError` naming the file.
    static func inspect(path: String) throws -> Inspection {
        let source = try FileByteSource.open(path)
        let name = source.descriptor.path
        let peek = try FileError.wrapping(path: name) { try HeaderPeek.read(from: source) }
        if let (fields, reason) = try FileError.wrapping(path: name, { try peek.untransformed() }) {
            return Inspection(file: path, array: .copied(fields, reason: reason), trailingBytes: 0)
        }
        let reader = try NPYReader(source: ReplayingByteSource(prefix: peek.consumed, then: source), name: name)
        let header = reader.header
        let status = try source.descriptor.status()
        var trailing = 0
        if status.isRegularFile {
            let available = status.size - header.dataOffset
            if available < header.dataByteCount {
                throw FileError(
                    path: path,
                    underlying: NPYFormatError.truncated(
                        section: .data, expected: header.dataByteCount, found: available))
            }
            trailing = available - header.dataByteCount
        } else {
            let buffer = ChunkBuffer()
            try buffer.withUnsafeMutableBytes { try reader.skipData(using: $0) }
            trailing = reader.trailingBytesSeen ? 1 : 0
        }
        return Inspection(file: path, array: .transformed(header), trailingBytes: trailing)
    }

    /// `x.npy: npy 1.0, <f4, shape (2, 3), C order, data at byte 128, 24 data bytes`.
    var humanLine: String {
        var line = MessageText.escaped(file) + ": " + array.humanText
        if trailingBytes > 0 { line += ", trailing bytes ignored" }
        return line
    }

    /// One JSON object: file, version, descr, shape, fortran_order, data_offset, data_bytes (and
    /// `transformed: false` with `reason` for a dtype npdrop does not transform).
    var jsonLine: String {
        JSONText.object([("file", JSONText.string(file))] + array.jsonFields)
    }
}
