/// The input files of a run in walk order, stored compactly: every relpath's bytes in one
/// buffer, one end offset, size and kind per file (about 13 bytes plus the relpath per file,
/// instead of two heap strings and a struct). Elements are built on access.
public struct InputFileList: RandomAccessCollection, Sendable {
    /// What `absolutePath` is built from: this prefix followed by the relpath.
    private let absolutePrefix: String
    private var pathBytes: [UInt8] = []
    private var ends: [UInt32] = []
    private var sizes: [Int64] = []
    private var kinds: [InputFile.Kind] = []
    /// Relpaths longer in total than `UInt32.max` bytes go here instead (never in practice).
    private var wideEnds: [Int]? = nil

    /// An empty list whose files live at `absolutePrefix + relpath`.
    init(absolutePrefix: String) {
        self.absolutePrefix = absolutePrefix
    }

    /// Appends a file (relpath bytes, valid UTF-8).
    mutating func append(relativePath: some Collection<UInt8>, kind: InputFile.Kind, byteCount: Int64) {
        pathBytes.append(contentsOf: relativePath)
        if wideEnds == nil && pathBytes.count > Int(UInt32.max) { wideEnds = ends.map(Int.init) }
        if wideEnds != nil { wideEnds!.append(pathBytes.count) } else { ends.append(UInt32(pathBytes.count)) }
        sizes.append(byteCount)
        kinds.append(kind)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { kinds.count }

    private func end(_ index: Int) -> Int {
        if let wideEnds { return wideEnds[index] }
        return Int(ends[index])
    }

    /// The relpath's bytes of file `index`.
    func relativePathBytes(_ index: Int) -> ArraySlice<UInt8> {
        pathBytes[(index == 0 ? 0 : end(index - 1))..<end(index)]
    }

    /// The relpath of file `index`.
    public func relativePath(_ index: Int) -> String {
        String(decoding: relativePathBytes(index), as: UTF8.self)
    }

    /// The size of file `index` when walked.
    public func byteCount(_ index: Int) -> Int64 { sizes[index] }

    /// The kind of file `index`.
    public func kind(_ index: Int) -> InputFile.Kind { kinds[index] }

    /// File `index`.
    public subscript(index: Int) -> InputFile {
        let relative = relativePath(index)
        return InputFile(relativePath: relative, absolutePath: absolutePrefix + relative, kind: kinds[index],
                         byteCount: sizes[index])
    }

    /// Sum of the sizes.
    var totalBytes: Int64 { sizes.reduce(0, +) }
}
