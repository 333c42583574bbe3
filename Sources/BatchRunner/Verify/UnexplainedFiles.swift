/// Files under OUT that no manifest record explains: what `verify` reports besides mismatches,
/// so an OUT holding leftovers of another run (other inputs, other copies) does not pass.
enum UnexplainedFiles {
    /// Every entry (regular file, symlink, special file) below `OUT/data`, `OUT/masks`,
    /// `OUT/copy-<k>/data` and `OUT/copy-<k>/masks` whose path relative to OUT is not in
    /// `explained` (the `output` and `mask` paths of the records), sorted; symlinks are not
    /// followed.
    static func find(in output: String, explained: Set<[UInt8]>) throws -> [String] {
        var roots: [String] = ["data", "masks"]
        for entry in try RunnerFS.listDirectory(output) where entry.kind == .directory {
            guard let name = String(validating: entry.name, as: UTF8.self),
                ExistingOutput.isWrittenByNPDrop(name, kind: .directory), name.hasPrefix("copy-")
            else { continue }
            roots += [name + "/data", name + "/masks"]
        }
        var found: [String] = []
        var pending = roots.filter {
            (try? RunnerFS.entryKind(RelativePath.join(output, $0), followLinks: false)) == .directory
        }
        while let directory = pending.popLast() {
            for entry in try RunnerFS.listDirectory(RelativePath.join(output, directory)) {
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
}
