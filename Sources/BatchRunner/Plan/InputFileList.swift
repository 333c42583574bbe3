/// The input files of a run in walk order, stored compactly: per block of 65,536 files, every
/// relpath's bytes in one buffer and one end offset, size and kind per file (about 9 bytes plus
/// the relpath per file, instead of two heap strings and a struct; a size of 4 GiB or more is
/// kept aside). Blocks keep growth from copying the whole list (a doubling array would briefly
/// hold it twice), and a full block is copied to exact-size buffers, so a million files do not
/// carry the growth slack of sixteen doubling arrays. Elements are built on access.
public struct InputFileList: RandomAccessCollection, Sendable {
    private struct Block: Sendable {
        var pathBytes: [UInt8] = []
        var ends: [UInt32] = []
        /// Sizes below `UInt32.max`; `UInt32.max` means the size is in `largeSizes`.
        var sizes: [UInt32] = []
        var largeSizes: [Int: Int64] = [:]
        var kinds: [InputFile.Kind] = []
        /// Modification times when walked (ns; `InputFileList.notWalked` when not known), kept
        /// only by a list made with `keepsModificationTimes` (8 bytes a file).
        var modified: [Int64] = []

        /// Copies every buffer to one of exactly its size (a full block grows no more).
        mutating func shrinkToFit() {
            pathBytes = Self.exact(pathBytes)
            ends = Self.exact(ends)
            sizes = Self.exact(sizes)
            kinds = Self.exact(kinds)
            modified = Self.exact(modified)
        }

        private static func exact<T>(_ values: [T]) -> [T] {
            values.withUnsafeBufferPointer { source in
                [T](unsafeUninitializedCapacity: source.count) { buffer, count in
                    _ = buffer.initialize(fromContentsOf: source)
                    count = source.count
                }
            }
        }
    }

    /// The modification time of a file the walk did not stat itself.
    static let notWalked = Int64.min

    private static let blockShift = 16
    private static let blockMask = (1 << blockShift) - 1
    /// What `absolutePath` is built from: this prefix followed by the relpath.
    private let absolutePrefix: String
    private var blocks: [Block] = []
    public private(set) var count = 0

    /// An empty list whose files live at `absolutePrefix + relpath`, keeping their modification
    /// times when `keepsModificationTimes`.
    init(absolutePrefix: String, keepsModificationTimes: Bool = false) {
        self.absolutePrefix = absolutePrefix
        self.keepsModificationTimes = keepsModificationTimes
    }

    /// Appends a file (relpath bytes, valid UTF-8; a block's relpaths stay below 4 GiB since
    /// each is at most `PATH_MAX`).
    /// Whether `append` keeps the modification times (for `--resume`).
    let keepsModificationTimes: Bool

    mutating func append(
        relativePath: some Collection<UInt8>, kind: InputFile.Kind, byteCount: Int64, modifiedNs: Int64 = notWalked
    ) {
        if count & InputFileList.blockMask == 0 { blocks.append(Block()) }
        let last = blocks.count - 1
        blocks[last].pathBytes.append(contentsOf: relativePath)
        blocks[last].ends.append(UInt32(blocks[last].pathBytes.count))
        if byteCount >= 0 && byteCount < Int64(UInt32.max) {
            blocks[last].sizes.append(UInt32(byteCount))
        } else {
            blocks[last].largeSizes[blocks[last].sizes.count] = byteCount
            blocks[last].sizes.append(UInt32.max)
        }
        blocks[last].kinds.append(kind)
        if keepsModificationTimes { blocks[last].modified.append(modifiedNs) }
        count += 1
        if count & InputFileList.blockMask == 0 { blocks[last].shrinkToFit() }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    /// The relpath's bytes of file `index`.
    func relativePathBytes(_ index: Int) -> ArraySlice<UInt8> {
        let block = blocks[index >> InputFileList.blockShift]
        let slot = index & InputFileList.blockMask
        return block.pathBytes[(slot == 0 ? 0 : Int(block.ends[slot - 1]))..<Int(block.ends[slot])]
    }

    /// The relpath of file `index`.
    public func relativePath(_ index: Int) -> String {
        String(decoding: relativePathBytes(index), as: UTF8.self)
    }

    /// The size of file `index` when walked.
    public func byteCount(_ index: Int) -> Int64 {
        let block = blocks[index >> InputFileList.blockShift]
        let slot = index & InputFileList.blockMask
        let size = block.sizes[slot]
        return size == UInt32.max ? block.largeSizes[slot] ?? 0 : Int64(size)
    }

    /// The kind of file `index`.
    public func kind(_ index: Int) -> InputFile.Kind {
        blocks[index >> InputFileList.blockShift].kinds[index & InputFileList.blockMask]
    }

    /// File `index`.
    public subscript(index: Int) -> InputFile {
        let relative = relativePath(index)
        let modified =
            keepsModificationTimes
            ? blocks[index >> InputFileList.blockShift].modified[index & InputFileList.blockMask]
            : InputFileList.notWalked
        return InputFile(
            relativePath: relative, absolutePath: absolutePrefix + relative, kind: kind(index),
            byteCount: byteCount(index),
            modificationTimeNanoseconds: modified == InputFileList.notWalked ? nil : modified)
    }
}
