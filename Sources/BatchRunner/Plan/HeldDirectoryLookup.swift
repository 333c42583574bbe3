import NPDropPlatform

/// `lstat` of paths that come grouped by directory (`--resume`'s checks of inputs, outputs and
/// masks, asked in sorted order): the directory is opened once and each entry is looked up in
/// it (`fstatat`), so the kernel resolves one name per file instead of the whole path, and no
/// string is built while the directory stays the one held. The directory's own path resolves
/// as `lstat(path)` resolves it (symlinks followed); the last component is not followed.
final class HeldDirectoryLookup {
    /// The bytes of the root relative paths are joined under (`RelativePath.join`: one trailing
    /// slash dropped); nil: paths are whole.
    private let root: [UInt8]?
    /// The held directory's path bytes.
    private var directory: [UInt8]?
    private var descriptor: Int32 = -1

    /// A lookup of whole paths, or (`root`) of paths relative to `root`.
    init(root: String? = nil) {
        if var bytes = root.map({ Array($0.utf8) }) {
            if bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
            self.root = bytes
        } else {
            self.root = nil
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// The status of the entry at `path` (relative to the root, if any; a final symlink not
    /// followed); nil when there is none or it cannot be read.
    func status(of path: String) -> stat? {
        path.withCString { text -> stat? in
            var info = stat()
            let bytes = UnsafeBufferPointer(
                start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: strlen(text))
            let slash = bytes.lastIndex(of: UInt8(ascii: "/"))
            guard root != nil || slash != nil else { return lstat(text, &info) == 0 ? info : nil }
            let parentPart = UnsafeBufferPointer(rebasing: bytes[..<(slash ?? 0)])
            if !holds(parentPart) {
                if descriptor >= 0 { close(descriptor) }
                var parent = root ?? []
                if root != nil && !parentPart.isEmpty { parent.append(UInt8(ascii: "/")) }
                parent += parentPart
                if parent.isEmpty { parent = [UInt8(ascii: "/")] }
                descriptor = open(String(decoding: parent, as: UTF8.self), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                directory = parent
            }
            let name = text + ((slash ?? -1) + 1)
            guard descriptor >= 0, name.pointee != 0, fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0
            else { return nil }
            return info
        }
    }

    /// The size of the regular file at `path`; nil for anything else.
    func regularFileSize(_ path: String) -> Int64? {
        guard let info = status(of: path), info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// True when the held directory is the one of `parentPart` (root + "/" + it), compared
    /// piecewise.
    private func holds(_ parentPart: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let directory else { return false }
        let rootCount = root?.count ?? 0
        let separator = root != nil && !parentPart.isEmpty ? 1 : 0
        let length = rootCount + separator + parentPart.count
        if length == 0 { return directory.count == 1 && directory[0] == UInt8(ascii: "/") }
        guard directory.count == length else { return false }
        return directory.withUnsafeBufferPointer { held in
            if let root, !held.prefix(rootCount).elementsEqual(root) { return false }
            if separator == 1 && held[rootCount] != UInt8(ascii: "/") { return false }
            guard let rest = held.baseAddress.map({ $0 + rootCount + separator }), !parentPart.isEmpty else {
                return true
            }
            return memcmp(rest, parentPart.baseAddress!, parentPart.count) == 0
        }
    }
}
