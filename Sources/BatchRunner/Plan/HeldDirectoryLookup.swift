import NPDropPlatform

/// `lstat` of paths that come grouped by directory (`--resume`'s checks of inputs, outputs and
/// masks, asked in sorted order): the directory is opened once and each entry is looked up in
/// it (`fstatat`), so the kernel resolves one name per file instead of the whole path. The
/// directory's own path resolves as `lstat(path)` resolves it (symlinks followed); the last
/// component is not followed.
final class HeldDirectoryLookup {
    private var directory: String?
    private var descriptor: Int32 = -1

    init() {}

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// The status of the entry at `path` (a final symlink not followed); nil when there is none
    /// or it cannot be read.
    func status(of path: String) -> stat? {
        var info = stat()
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else {
            return lstat(path, &info) == 0 ? info : nil
        }
        let parent = slash == path.startIndex ? "/" : String(path[..<slash])
        if directory != parent {
            if descriptor >= 0 { close(descriptor) }
            descriptor = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            directory = parent
        }
        let name = String(path[path.index(after: slash)...])
        guard descriptor >= 0, !name.isEmpty, fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            return nil
        }
        return info
    }

    /// The size of the regular file at `path`; nil for anything else.
    func regularFileSize(_ path: String) -> Int64? {
        guard let info = status(of: path), info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int64(info.st_size)
    }
}
