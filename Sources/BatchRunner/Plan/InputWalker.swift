/// Something the walk did not take as an input file.
public struct WalkIssue: Sendable, Hashable {
    /// Path below INPUT (invalid UTF-8 shown with U+FFFD).
    public let relativePath: String
    /// One line saying what was found and what happened to it.
    public let message: String
    /// True for errors (the run exits 1, and the issue gets an error record); false for
    /// entries skipped by design (symlinks, special files).
    public let isError: Bool
}

/// The input files of a run, sorted, and what was skipped.
public struct WalkResult: Sendable {
    /// Every `.npy`/`.npz` regular file (and every other regular file when the walk carries
    /// them over), sorted byte-wise by relpath.
    public var files: InputFileList
    /// Skipped entries and errors, sorted by relpath.
    public var issues: [WalkIssue]
}

/// Finds the input files of a run.
///
/// Rules: every regular file whose name ends in `.npy` or `.npz` (any letter case), at any
/// depth, hidden files and directories included, and (with `includeOtherFiles`, the default of
/// a run) every other regular file as kind `.other`, to be carried over unchanged; symlinks
/// are never followed (a symlink named like an input, pointing to a directory, or any symlink
/// when other files are carried over, is reported as skipped); other special files named like
/// inputs (any, when other files are carried over) are reported as skipped; other files are
/// ignored. A name that is not valid UTF-8 (of a directory, or of a file the walk would take)
/// is an error: keys need UTF-8. An unreadable subdirectory is an error; the walk goes on.
public enum InputWalker {
    /// The kind of input a file name denotes, or nil.
    public static func kind(ofName name: String) -> InputFile.Kind? {
        kind(ofNameBytes: Array(name.utf8))
    }

    static func kind(ofNameBytes name: [UInt8]) -> InputFile.Kind? {
        guard name.count >= 4 else { return nil }
        let suffix = name[(name.count - 4)...].map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        if suffix == Array(".npy".utf8) { return .npy }
        if suffix == Array(".npz".utf8) { return .npz }
        return nil
    }

    /// Walks `locations.input`: the file itself (relpath = its base name) or everything below
    /// the directory. Throws only when INPUT itself cannot be read.
    /// With `keepModificationTimes` (for `--resume`), each walked file keeps the modification
    /// time of the walk's `stat` (`InputFile.modificationTimeNanoseconds`).
    public static func walk(
        _ locations: RunLocations, includeOtherFiles: Bool = false, keepModificationTimes: Bool = false
    ) throws -> WalkResult {
        guard locations.inputIsDirectory else {
            let name = RelativePath.baseName(locations.input)
            guard case .regular(let size) = try RunnerFS.entryKind(locations.input, followLinks: true),
                let kind = kind(ofName: name)
            else {
                throw RunnerError.usage("INPUT '\(locations.input)' is not a .npy or .npz file")
            }
            var files = InputFileList(
                absolutePrefix: String(decoding: locations.input.utf8.dropLast(name.utf8.count), as: UTF8.self))
            files.append(relativePath: name.utf8, kind: kind, byteCount: size)
            return WalkResult(files: files, issues: [])
        }
        var files = InputFileList(
            absolutePrefix: RelativePath.join(locations.input, ""), keepsModificationTimes: keepModificationTimes)
        var issues: [WalkIssue] = []
        // A depth-first walk visiting each directory's entries sorted by name, a directory's
        // name taken with a trailing "/": that is exactly the byte-wise order of the relpaths,
        // so the list comes out sorted and memory holds only the directories on the path.
        struct Frame {
            let absolute: String
            let relative: String
            let entries: [DirectoryEntry]
            var next = 0
        }
        func listed(_ absolute: String, _ relative: String) throws -> Frame {
            var keyed = try RunnerFS.listDirectory(absolute).map { entry in
                (key: entry.kind == .directory ? entry.name + [0x2F] : entry.name, entry: entry)
            }
            keyed.sort { $0.key.lexicographicallyPrecedes($1.key) }
            return Frame(absolute: absolute, relative: relative, entries: keyed.map(\.entry))
        }
        var stack = [try listed(locations.input, "")]
        while !stack.isEmpty {
            let top = stack.count - 1
            guard stack[top].next < stack[top].entries.count else {
                stack.removeLast()
                continue
            }
            let entry = stack[top].entries[stack[top].next]
            stack[top].next += 1
            let directory = (absolute: stack[top].absolute, relative: stack[top].relative)
            let arrayKind = kind(ofNameBytes: entry.name)
            let inputKind = arrayKind ?? (includeOtherFiles ? .other : nil)
            guard let name = UTF8Text.string(validating: entry.name) else {
                guard entry.kind == .directory || inputKind != nil else { continue }
                let shown =
                    directory.relative + (directory.relative.isEmpty ? "" : "/")
                    + String(decoding: entry.name, as: UTF8.self)
                let hex = entry.name.map { String($0, radix: 16) }.joined(separator: " ")
                issues.append(
                    WalkIssue(
                        relativePath: shown, message: "name is not valid UTF-8 (bytes \(hex)); rename it", isError: true
                    ))
                continue
            }
            let relative = directory.relative.isEmpty ? name : directory.relative + "/" + name
            let absolute = directory.absolute + "/" + name
            switch entry.kind {
            case .directory:
                do {
                    stack.append(try listed(absolute, relative))
                } catch {
                    issues.append(
                        WalkIssue(relativePath: relative, message: "cannot read directory: \(error)", isError: true))
                }
            case .regular(let size):
                if let inputKind {
                    files.append(
                        relativePath: relative.utf8, kind: inputKind, byteCount: size, modifiedNs: entry.modifiedNs)
                }
            case .symlink:
                let target = (try? RunnerFS.entryKind(absolute, followLinks: true)) ?? .missing
                if includeOtherFiles || arrayKind != nil || target == .directory {
                    issues.append(
                        WalkIssue(relativePath: relative, message: "symlink not followed; skipped", isError: false))
                }
            case .other:
                if inputKind != nil {
                    issues.append(
                        WalkIssue(relativePath: relative, message: "not a regular file; skipped", isError: false))
                }
            case .missing:
                continue
            }
        }
        issues.sort { RelativePath.precedes($0.relativePath, $1.relativePath) }
        return WalkResult(files: files, issues: issues)
    }
}
