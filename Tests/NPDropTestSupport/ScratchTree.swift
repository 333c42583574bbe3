import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Removal of a test's scratch folder that works where `FileManager.removeItem` gives up: paths
/// longer than PATH_MAX (the hostile-layout tests build them) and folders a test made unreadable.
/// Each level is opened relative to its parent (`openat`/`unlinkat`), so no full path is formed.
public enum ScratchTree {
    /// Removes `path` and everything below it; a missing path is not an error. Returns false
    /// when something could not be removed.
    @discardableResult
    public static func remove(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return errno == ENOENT }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return unlink(path) == 0 }
        let parent = open(
            (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent,
            O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard parent >= 0 else { return false }
        defer { close(parent) }
        return removeEntry(named: Array((path as NSString).lastPathComponent.utf8CString), in: parent, depth: 0)
    }

    /// Deeper than this is not a tree a test made; stop rather than run out of descriptors.
    private static let maximumDepth = 4096

    /// `name` is the entry's raw bytes, NUL-terminated: names that are not UTF-8 (the hostile
    /// layouts make them) must reach `unlinkat` unchanged.
    private static func removeEntry(named name: [CChar], in parent: Int32, depth: Int) -> Bool {
        var info = stat()
        guard fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return errno == ENOENT }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return unlinkat(parent, name, 0) == 0 }
        guard depth < maximumDepth else { return false }
        _ = fchmodat(parent, name, 0o700, 0)
        let folder = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0 else { return false }
        var removedAll = true
        var children: [[CChar]] = []
        if let listing = fdopendir(dup(folder)) {
            while let entry = readdir(listing) {
                let child: [CChar] = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    let bytes = raw.bindMemory(to: CChar.self)
                    let length = bytes.firstIndex(of: 0) ?? bytes.count
                    return Array(bytes[..<length]) + [0]
                }
                if child != [46, 0] && child != [46, 46, 0] { children.append(child) }  // not "." or ".."
            }
            closedir(listing)
        } else {
            removedAll = false
        }
        for child in children where !removeEntry(named: child, in: folder, depth: depth + 1) { removedAll = false }
        close(folder)
        return unlinkat(parent, name, AT_REMOVEDIR) == 0 && removedAll
    }
}
