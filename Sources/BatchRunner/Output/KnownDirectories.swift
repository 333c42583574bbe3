import NPDropPlatform

/// The output directories of one run known to exist (created by it, or found as real
/// directories), so each is created once: a file whose directory is known costs no `mkdir`
/// and no `lstat`. Shared by the workers of a run.
final class KnownDirectories: Sendable {
    /// The directory every path is placed under; it exists before the run starts.
    let root: String
    private let known = Locked<Set<String>>([])

    init(root: String) {
        self.root = root
    }

    /// Makes sure `relativeDirectory` (below `root`, "" for the root itself) exists,
    /// creating missing components like `mkdir -p`. Only components not yet known are
    /// touched; like `RunnerFS.makeDirectories`, a component that is a symlink (even to a
    /// directory) or not a directory throws.
    func ensure(_ relativeDirectory: String) throws {
        if relativeDirectory.isEmpty || known.withLock({ $0.contains(relativeDirectory) }) { return }
        let parent = RelativePath.directoryName(relativeDirectory)
        try ensure(parent)
        let path = RelativePath.join(root, relativeDirectory)
        if mkdir(path, 0o777) != 0 {
            let code = errno
            guard code == EEXIST else { throw RunnerError.io(path: path, operation: "create directory", errno: code) }
            switch try RunnerFS.entryKind(path, followLinks: false) {
            case .directory:
                break
            case .symlink:
                throw RunnerError.malformed(
                    path: path, detail: "is a symlink; outputs are never written through symlinks")
            default:
                throw RunnerError.io(path: path, operation: "create directory", errno: code)
            }
        }
        _ = known.withLock { $0.insert(relativeDirectory) }
    }
}
