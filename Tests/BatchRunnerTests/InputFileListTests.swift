import Testing

@testable import BatchRunner

/// The walk's compact file list gives back every relpath, size, kind and modification time,
/// across full blocks (copied to exact size) and for sizes of 4 GiB and more.
@Suite struct InputFileListTests {
    @Test func everyFileComesBackAcrossBlocksAndLargeSizes() {
        var list = InputFileList(absolutePrefix: "/in/", keepsModificationTimes: true)
        let count = 140_000  // two full blocks of 65,536 and part of a third
        func size(_ index: Int) -> Int64 {
            switch index % 7 {
            case 0: return Int64(UInt32.max) + Int64(index)  // kept aside
            case 1: return Int64(UInt32.max) - 1  // the largest kept inline
            default: return Int64(index * 13)
            }
        }
        let kinds: [InputFile.Kind] = [.npy, .npz, .other]
        for index in 0..<count {
            let path = "d\(index % 97)/f\(index).npy"
            list.append(
                relativePath: Array(path.utf8), kind: kinds[index % 3], byteCount: size(index),
                modifiedNs: Int64(index) * 1_000_000_007 - 5)
        }
        #expect(list.count == count)
        for index in stride(from: 0, to: count, by: 1) where index % 11 == 0 || index % 65_536 < 3 {
            let file = list[index]
            #expect(file.relativePath == "d\(index % 97)/f\(index).npy")
            #expect(file.absolutePath == "/in/d\(index % 97)/f\(index).npy")
            #expect(file.byteCount == size(index), "file \(index)")
            #expect(file.kind == kinds[index % 3])
            #expect(file.modificationTimeNanoseconds == Int64(index) * 1_000_000_007 - 5)
        }
    }
}
