// libFuzzer target: the zip/npz reader over arbitrary bytes (written to a file on tmpfs, since
// ZipArchiveReader reads with positioned I/O).
//
// Properties checked for every input (a failure crashes, so libFuzzer keeps the input):
// - opening the archive and reading every member never traps, hangs, or allocates more than the
//   caps (central directory, one input buffer per member, inflate state) allow;
// - every error is a FileError (around a ZipError, or an npy error for the npy inside) whose message is
//   one line starting with the archive's path;
// - a member read to its end without error delivered exactly its declared uncompressed size;
//   once a member source has thrown, it keeps throwing the same error;
// - the `.npy` inside a member reads through NPYReader with the same guarantees.
#if canImport(Glibc)
import Glibc
#endif
import NPYFormat
import NPYStream
import NPZContainer

/// Bytes read per member at most (a member may legally inflate to 1032 x its compressed size;
/// past this budget nothing new is exercised, only time spent).
let memberReadBudget = 8 << 20

let archivePath: String = {
    let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    let path = "\(base)/npdrop-fuzz-npz-\(getpid()).npz"
    archivePathForExit = path
    atexit { unlink(archivePathForExit) }
    return path
}()
nonisolated(unsafe) var archivePathForExit = ""

@_cdecl("LLVMFuzzerTestOneInput")
public func npdropFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    writeArchive(fuzzBytes(data, size))
    let archive: ZipArchiveReader
    do {
        archive = try ZipArchiveReader(path: archivePath)
    } catch {
        checkError(error)
        return 0
    }
    fuzzRequire(archive.entries.count <= archive.limits.maxEntries, "more entries than the limit")
    for entry in archive.entries.prefix(64) {
        fuzzRequire(entry.rawName.count <= archive.limits.maxNameLength, "name longer than the limit")
        readMember(archive, entry)
        readNPY(archive, entry)
    }
    return 0
}

/// Reads `entry` to its end in 4 KiB chunks (within the budget) and checks the byte count.
func readMember(_ archive: ZipArchiveReader, _ entry: ZipEntry) {
    let source: ZipMemberSource
    do {
        source = try archive.openMember(entry, bufferSize: 4096)
    } catch {
        checkError(error)
        return
    }
    var buffer = [UInt8](repeating: 0, count: 4096)
    var total = 0
    do {
        while total < memberReadBudget {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 {
                fuzzRequire(UInt64(total) == entry.uncompressedSize,
                            "member ended after \(total) bytes, declared \(entry.uncompressedSize)")
                return
            }
            total += count
            fuzzRequire(UInt64(total) <= entry.uncompressedSize, "member delivered more than its declared size")
        }
    } catch {
        checkError(error)
        // A failed source keeps failing with the same error.
        do {
            _ = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            fuzzRequire(false, "a member source read again after throwing \(error)")
        } catch let again {
            fuzzRequire(String(describing: again) == String(describing: error), "second error \(again) differs from \(error)")
        }
    }
}

/// Reads `entry` as an .npy (header, then all data in element-sized chunks).
func readNPY(_ archive: ZipArchiveReader, _ entry: ZipEntry) {
    do {
        let source = try archive.openMember(entry, bufferSize: 4096)
        let reader = try NPYReader(source: source, name: archivePath, member: entry.name)
        let itemSize = reader.header.dtype.itemSize
        fuzzRequire(UInt64(reader.header.dataOffset) <= entry.uncompressedSize, "header past the member's end")
        var buffer = [UInt8](repeating: 0, count: 512 * itemSize)
        var total = 0
        while total < memberReadBudget {
            let count = try buffer.withUnsafeMutableBytes { try reader.readChunk(into: $0) }
            if count == 0 { break }
            fuzzRequire(count % itemSize == 0, "partial element")
            total += count
        }
    } catch {
        checkError(error)
    }
}

func checkError(_ error: any Error) {
    switch error {
    case is ZipError, is FileError:
        fuzzRequireNames(error, archivePath)
    default:
        fuzzRequire(false, "unexpected error type \(type(of: error)): \(error)")
    }
}

func writeArchive(_ bytes: [UInt8]) {
    let fd = open(archivePath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    fuzzRequire(fd >= 0, "cannot create \(archivePath)")
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
        fuzzRequire(n > 0, "write failed")
        done += n
    }
    close(fd)
}
