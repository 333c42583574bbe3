import BatchRunner
import DropoutEngine
import NPYFormat
import NPYStream
import NPZContainer

/// What `npdrop inspect` reports about one `.npz` file: every member in central directory order,
/// with its method, sizes and array header. Only the headers are inflated; member data is not
/// read (CRC-32s are checked by `apply` and `run`).
struct ArchiveInspection {
    /// One zip entry.
    struct Member {
        enum Content {
            case array(ArrayDescription)
            /// The entry's name does not end in `.npy`: npdrop copies it and gives it no record.
            case notAnArray
            /// The header could not be read; the message names the archive and member.
            case unreadable(String)
        }

        var entry: ZipEntry
        var content: Content

        var method: String {
            switch entry.method {
            case .stored: return "stored"
            case .deflated: return "deflated"
            default: return "method \(entry.method)"
            }
        }

        /// `  x.npy: deflated, 57 bytes (160 uncompressed); npy 1.0, <i8, shape (4,), ...`.
        var humanLine: String {
            var line =
                "  \(MessageText.escaped(entry.name)): \(method), \(entry.compressedSize) bytes "
                + "(\(entry.uncompressedSize) uncompressed); "
            switch content {
            case .array(let array): line += array.humanText
            case .notAnArray: line += "not an .npy member; copied, not transformed"
            case .unreadable: line += "header unreadable (see the error)"
            }
            return line
        }

        var jsonObject: String {
            var fields: [(String, String)] = [
                ("name", JSONText.string(entry.name)),
                ("method", JSONText.string(method)),
                ("compressed_bytes", JSONText.integer(entry.compressedSize)),
                ("uncompressed_bytes", JSONText.integer(entry.uncompressedSize)),
            ]
            switch content {
            case .array(let array): fields += array.jsonFields
            case .notAnArray: fields += [("transformed", "false"), ("reason", JSONText.string("not an .npy member"))]
            case .unreadable(let message): fields.append(("error", JSONText.string(message)))
            }
            return JSONText.object(fields)
        }
    }

    var file: String
    var members: [Member]

    /// The error messages of members whose header could not be read.
    var memberErrors: [String] {
        members.compactMap { if case .unreadable(let message) = $0.content { message } else { nil } }
    }

    /// True when `path` starts with a zip signature (`PK\3\4`, or `PK\5\6` for an empty archive).
    static func isArchive(path: String) -> Bool {
        guard path != "-", let descriptor = try? FileDescriptor.openForReading(path) else { return false }
        let source = FileByteSource(descriptor: descriptor)
        var signature = [UInt8](repeating: 0, count: 4)
        let count = (try? signature.withUnsafeMutableBytes { try source.readFully(into: $0) }) ?? 0
        return count == 4 && signature[0] == 0x50 && signature[1] == 0x4B
            && ((signature[2] == 3 && signature[3] == 4) || (signature[2] == 5 && signature[3] == 6))
    }

    /// Reads the central directory of `path` and the header of every `.npy` member. Throws
    /// `ZipError` when the archive itself cannot be read; a bad member is reported in its entry.
    static func inspect(path: String, limits: ZipLimits = .default) throws -> ArchiveInspection {
        let archive = try ZipArchiveReader(path: path, limits: limits)
        let members = archive.entries.map { entry in
            guard entry.name.hasSuffix(".npy") else { return Member(entry: entry, content: .notAnArray) }
            do {
                return Member(entry: entry, content: .array(try describe(entry, in: archive)))
            } catch {
                let message =
                    error is FileError ? "\(error)" : "\(FileError(path: path, member: entry.name, underlying: error))"
                return Member(entry: entry, content: .unreadable(message))
            }
        }
        return ArchiveInspection(file: path, members: members)
    }

    /// The header of `entry`, with its data size checked against the member's uncompressed size.
    private static func describe(_ entry: ZipEntry, in archive: ZipArchiveReader) throws -> ArrayDescription {
        let source = try archive.openMember(entry)
        let peek = try FileError.wrapping(path: archive.path, member: entry.name) { try HeaderPeek.read(from: source) }
        if let (fields, reason) = try FileError.wrapping(
            path: archive.path, member: entry.name, { try peek.untransformed() })
        {
            return .copied(fields, reason: reason)
        }
        let header = try FileError.wrapping(path: archive.path, member: entry.name) {
            try NPYHeaderParser.parseHeader(peek.text, version: peek.version)
        }
        let available = Int(clamping: entry.uncompressedSize) - header.dataOffset
        if available != header.dataByteCount {
            if available > header.dataByteCount {
                throw FileError(path: archive.path, member: entry.name, underlying: DropoutError.trailingBytes)
            }
            throw FileError(
                path: archive.path, member: entry.name,
                underlying: NPYFormatError.truncated(
                    section: .data, expected: header.dataByteCount, found: available))
        }
        return .transformed(header)
    }

    /// `a.npz: npz, 2 members` and one indented line per member.
    var humanText: String {
        return
            ([MessageText.escaped(file) + ": npz, " + CountText.of(members.count, "member")] + members.map(\.humanLine))
            .joined(separator: "\n")
    }

    /// `{"file":...,"format":"npz","members":[...]}` on one line.
    var jsonLine: String {
        JSONText.object([
            ("file", JSONText.string(file)),
            ("format", JSONText.string("npz")),
            ("members", "[" + members.map(\.jsonObject).joined(separator: ",") + "]"),
        ])
    }
}
