import DropoutEngine
import NPYFormat
import NPYStream
import NPZContainer
import Testing

@testable import DropoutFiles

/// Where an error happened is a value (`ErrorLocation` in a `FileError`), set by the file jobs
/// without editing message text.
@Suite struct FileErrorLocationTests {
    static let request = FileRequest(path: "/abs/in/a.npz", name: "a.npz", keyPath: "a.npz", copy: 2) { _ in .copy }

    @Test func aZipErrorAtTheOpenedPathIsRenamedByValue() {
        // As the zip layer throws it: the ZipError in a FileError at the path the reader opened.
        let zip = ZipError.crcMismatch(member: "x.npy", expected: 1, found: 2)
        let located = FileError.attributing(
            FileError(path: "/abs/in/a.npz", underlying: zip), to: Self.request, member: nil)
        #expect(located.location == ErrorLocation(file: "a.npz", member: "x.npy", copy: 2))
        #expect(located.underlying as? ZipError == zip)
        #expect(
            located.description
                == "a.npz: member 'x.npy': CRC-32 mismatch: central directory says 0x00000001, data gives 0x00000002")
        #expect(located.memberName == "x.npy")
    }

    @Test func aBareZipErrorGetsTheInputAndKeepsItsMember() {
        let zip = ZipError.corruptDeflate(member: "z.npy", detail: "bad")
        let located = FileError.attributing(zip, to: Self.request, member: nil)
        #expect(located.location == ErrorLocation(file: "a.npz", member: "z.npy", copy: 2))
        #expect(located.description == "a.npz: member 'z.npy': corrupt deflate data: bad")
        #expect(zip.description == "member 'z.npy': corrupt deflate data: bad")
    }

    @Test func anErrorOfAnotherFileIsKeptWholeUnderTheInput() {
        let output = FileError(path: "/abs/out/data/a.npz", underlying: NPYStreamError.noProgress(operation: "pwrite"))
        let located = FileError.attributing(output, to: Self.request, member: "y.npy")
        #expect(located.location == ErrorLocation(file: "a.npz", member: "y.npy", copy: 2))
        #expect(located.description == "a.npz: member 'y.npy': /abs/out/data/a.npz: pwrite made no progress")
        #expect((located.underlying as? FileError)?.path == "/abs/out/data/a.npz")
    }

    @Test func anErrorWithoutLocationGetsTheInputsAndNamesAreEscaped() {
        let located = FileError.attributing(DropoutError.trailingBytes, to: Self.request, member: "t\u{1B}.npy")
        #expect(located.location.file == "a.npz" && located.location.member == "t\u{1B}.npy")
        #expect(located.description.hasPrefix("a.npz: member 't\\x1b.npy': the member has bytes after its array data"))
        #expect(ErrorLocation(file: "in\nx.npy").description == "in\\x0ax.npy")
    }
}
