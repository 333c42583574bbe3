import NPYFormat
import NPYStream
import BatchRunner

/// What `npdrop inspect` reports about one `.npy` file.
struct Inspection {
    var file: String
    var header: NPYHeader
    /// Bytes after the data (ignored on reading, as `np.load` does).
    var trailingBytes: Int

    /// Reads the header of `path` (`-` for stdin) and checks that all data bytes are present:
    /// from the file size for a regular file (the data is not read), by reading the data
    /// (which also checks bool bytes) for a pipe. Throws a `FileError` naming the file.
    static func inspect(path: String) throws -> Inspection {
        let source = try FileByteSource.open(path)
        let reader = try NPYReader(source: source, name: source.descriptor.path)
        let header = reader.header
        let status = try source.descriptor.status()
        var trailing = 0
        if status.isRegularFile {
            let available = status.size - header.dataOffset
            if available < header.dataByteCount {
                throw FileError(path: path, underlying: NPYFormatError.truncated(
                    section: .data, expected: header.dataByteCount, found: available))
            }
            trailing = available - header.dataByteCount
        } else {
            let buffer = ChunkBuffer()
            try buffer.withUnsafeMutableBytes { try reader.skipData(using: $0) }
            trailing = reader.trailingBytesSeen ? 1 : 0
        }
        return Inspection(file: path, header: header, trailingBytes: trailing)
    }

    /// `x.npy: npy 1.0, <f4, shape (2, 3), C order, data at byte 128, 24 data bytes`.
    var humanLine: String {
        var line = "\(file): npy \(header.version), \(header.dtype.descr), shape \(NPYShapeText.python(header.shape)), "
        line += header.fortranOrder ? "Fortran order" : "C order"
        line += ", data at byte \(header.dataOffset), \(header.dataByteCount) data bytes"
        if trailingBytes > 0 { line += ", trailing bytes ignored" }
        return line
    }

    /// One JSON object: file, version, descr, shape, fortran_order, data_offset, data_bytes.
    var jsonLine: String {
        JSONText.object([
            ("file", JSONText.string(file)),
            ("version", JSONText.string(header.version.description)),
            ("descr", JSONText.string(header.dtype.descr)),
            ("shape", "[" + header.shape.map(String.init).joined(separator: ",") + "]"),
            ("fortran_order", header.fortranOrder ? "true" : "false"),
            ("data_offset", String(header.dataOffset)),
            ("data_bytes", String(header.dataByteCount)),
        ])
    }
}
