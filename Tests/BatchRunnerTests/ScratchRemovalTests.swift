import Foundation
import NPDropTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The tests' scratch removal takes what `FileManager.removeItem` leaves behind: paths longer than
/// PATH_MAX, names that are not UTF-8 and folders without permissions.
@Suite struct ScratchRemovalTests {
    @Test func removesDeepTreesNonUTF8NamesAndLockedFolders() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let root = scratch.path
        // 20 levels of 200-byte names: over 4,000 bytes, past PATH_MAX (made relative to open
        // folders, not with chdir: the tests run in parallel in one process).
        let name = String(repeating: "d", count: 200)
        var folder = open(root, O_RDONLY | O_DIRECTORY)
        #expect(folder >= 0)
        for _ in 0..<20 {
            #expect(mkdirat(folder, name, 0o755) == 0)
            let inner = openat(folder, name, O_RDONLY | O_DIRECTORY)
            close(folder)
            folder = inner
            #expect(folder >= 0)
        }
        let deep = openat(folder, "deep.npy", O_CREAT | O_WRONLY, 0o644)
        #expect(deep >= 0)
        close(deep)
        close(folder)
        // A file and a folder whose names are not UTF-8, the folder unreadable.
        let badFile: [CChar] = Array((root + "/bad").utf8CString.dropLast()) + [CChar(bitPattern: 0xFF), 0]
        let fd = open(badFile, O_CREAT | O_WRONLY, 0o644)
        #expect(fd >= 0)
        close(fd)
        let badFolder: [CChar] = Array((root + "/dir").utf8CString.dropLast()) + [CChar(bitPattern: 0xC3), 0x28, 0]
        #expect(mkdir(badFolder, 0o755) == 0)
        #expect(chmod(badFolder, 0) == 0)

        #expect(ScratchTree.remove(root))
        var info = stat()
        #expect(lstat(root, &info) == -1 && errno == ENOENT)
        #expect(ScratchTree.remove(root), "a missing path is not an error")
    }
}
