/// Files under OUT that no manifest record explains: what `verify` reports besides mismatches,
/// so an OUT holding leftovers of another run (other inputs, other copies) does not pass.
///
/// The files are every entry (regular file, symlink, special file) below `OUT/data`,
/// `OUT/masks`, `OUT/copy-<k>/data` and `OUT/copy-<k>/masks` whose path relative to OUT is not
/// the `output` or `mask` path of a record; symlinks are not followed.
enum UnexplainedFiles {
    /// The roots searched below `output` (relative to it), those that are directories.
    static func roots(in output: String) throws -> [String] {
        var roots: [String] = ["data", "masks"]
        for entry in try RunnerFS.listDirectory(output) where entry.kind == .directory {
            guard let name = String(validating: entry.name, as: UTF8.self),
                ExistingOutput.isWrittenByNPDrop(name, kind: .directory), name.hasPrefix("copy-")
            else { continue }
            roots += [name + "/data", name + "/masks"]
        }
        return roots.filter {
            (try? RunnerFS.entryKind(RelativePath.join(output, $0), followLinks: false)) == .directory
        }
    }

    /// The files below the roots of `output` whose path relative to OUT is not in `explained`,
    /// sorted. Holds every path: `Merge` is the streaming form.
    static func find(in output: String, explained: Set<[UInt8]>) throws -> [String] {
        var found: [String] = []
        var pending = try roots(in: output)
        while let directory = pending.popLast() {
            for entry in try RunnerFS.listDirectory(RelativePath.join(output, directory), sizes: false) {
                let relative = directory + "/" + String(decoding: entry.name, as: UTF8.self)
                if entry.kind == .directory {
                    pending.append(relative)
                } else if !explained.contains(Array(directory.utf8) + [0x2F] + entry.name) {
                    found.append(relative)
                }
            }
        }
        return found.sorted(by: RelativePath.precedes)
    }

    /// The unexplained files found by merging the records' paths, in manifest order, with a
    /// walk of each root in byte order of the paths: memory does not grow with the number of
    /// files (a walk holds the listings of the directories it is in). Records in manifest order
    /// name each root's files in increasing order (`data/<relpath>`, `masks/<relpath>`); when
    /// they do not (an edited manifest), `isOrdered` turns false and the caller uses `find`.
    final class Merge {
        private let output: String
        /// The walk of each root, by root (`data`, `copy-1/masks`, …).
        private var walks: [String: SortedWalk] = [:]
        /// The last path explained under each root.
        private var last: [String: [UInt8]] = [:]
        private(set) var found: [String] = []
        /// False once a record's path came before one already explained under its root.
        private(set) var isOrdered = true

        /// A merge with the roots of `output`. Throws `RunnerError.io`.
        init(output: String) throws {
            self.output = output
            for root in try UnexplainedFiles.roots(in: output) {
                walks[root] = SortedWalk(root: RelativePath.join(output, root))
            }
        }

        /// Marks `path` (a record's output or mask path) explained. Throws `RunnerError.io`.
        func explain(_ path: String) throws {
            guard isOrdered else { return }
            let bytes = Array(path.utf8)
            // The root: `data` or `masks`, or `copy-<k>/` and one of them.
            var cut = bytes.firstIndex(of: 0x2F)
            if let first = cut, bytes[..<first].starts(with: Array("copy-".utf8)) {
                cut = bytes[(first + 1)...].firstIndex(of: 0x2F)
            }
            guard let cut, let root = String(validating: bytes[..<cut], as: UTF8.self), let walk = walks[root] else {
                return  // names no file of a walked root
            }
            let rest = Array(bytes[(cut + 1)...])
            if let previous = last[root] {
                if previous == rest { return }
                if !previous.lexicographicallyPrecedes(rest) {
                    isOrdered = false
                    return
                }
            }
            last[root] = rest
            while let next = try walk.peek(), next.lexicographicallyPrecedes(rest) {
                found.append(root + "/" + String(decoding: next, as: UTF8.self))
                walk.advance()
            }
            if let next = try walk.peek(), next == rest { walk.advance() }
        }

        /// The unexplained files, sorted (`RelativePath.precedes`), once every record was
        /// explained. Throws `RunnerError.io`.
        func finish() throws -> [String] {
            for (root, walk) in walks {
                while let next = try walk.peek() {
                    found.append(root + "/" + String(decoding: next, as: UTF8.self))
                    walk.advance()
                }
            }
            return found.sorted(by: RelativePath.precedes)
        }
    }
}

/// The entries below a directory that are not directories (symlinks not followed), as paths
/// relative to it, in byte order of those paths: each directory's entries are visited sorted by
/// name, a directory's name compared as if followed by `/`.
final class SortedWalk {
    private let root: String
    /// The directories being walked: relative prefix (ending in `/`, empty for the root) and
    /// the entries not yet visited, sorted, reversed (the next is last).
    private var stack: [(prefix: [UInt8], entries: [(name: [UInt8], isDirectory: Bool)])] = []
    private var started = false
    private var current: [UInt8]?

    init(root: String) {
        self.root = root
    }

    /// The next path, nil at the end. Throws `RunnerError.io`.
    func peek() throws -> [UInt8]? {
        if let current { return current }
        if !started {
            started = true
            stack.append(([], try Self.sortedEntries(root)))
        }
        while var top = stack.popLast() {
            guard let entry = top.entries.popLast() else { continue }
            stack.append(top)
            let path = top.prefix + entry.name
            if entry.isDirectory {
                let directory = root + "/" + String(decoding: path, as: UTF8.self)
                stack.append((path + [0x2F], try Self.sortedEntries(directory)))
            } else {
                current = path
                return path
            }
        }
        return nil
    }

    /// Moves past the path `peek()` gave.
    func advance() { current = nil }

    private static func sortedEntries(_ directory: String) throws -> [(name: [UInt8], isDirectory: Bool)] {
        let entries = try RunnerFS.listDirectory(directory, sizes: false).map {
            (name: $0.name, isDirectory: $0.kind == .directory)
        }
        // Descending, so that popLast gives the smallest.
        return entries.sorted { a, b in
            let x = a.isDirectory ? a.name + [0x2F] : a.name
            let y = b.isDirectory ? b.name + [0x2F] : b.name
            return y.lexicographicallyPrecedes(x)
        }
    }
}
