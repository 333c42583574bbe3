import NPDropPlatform
import NPYStream

/// What a `ZipArchiveWriter(comparingContentOf:)` does instead of writing: compares the archive
/// being made, member by member as it streams, with an existing archive by content — the same
/// members in the same order with the same names, methods, flags, times, sizes and CRC-32s,
/// stored members' data byte for byte, and deflated members' inflated bytes equal (the existing
/// member is inflated as the new member's uncompressed bytes arrive; nothing is deflated). So an
/// archive deflated by another engine (zlib blocks where ISA-L failed its known-answer check, or
/// another ISA-L build) is no difference. Memory: one 1 MiB buffer and one open member.
final class ZipContentCheck {
    private let existing: ZipArchiveReader
    private var buffer: UnsafeMutableRawBufferPointer
    private var index = 0
    private var source: ZipMemberSource?
    private var entry: ZipEntry?
    private var compared: UInt64 = 0
    /// The open member's first byte difference, reported after its metadata.
    private var contentDifference: String?
    /// The first difference found in a member (name, metadata or content).
    private var memberDifference: String?
    /// The verdict once `finish` ran.
    private(set) var difference: String?

    init(existing: ZipArchiveReader) {
        self.existing = existing
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// A new member named `name` starts (the `index`-th of the archive being made).
    func begin(name: String, rawName: [UInt8]) {
        defer { index += 1 }
        source = nil
        entry = nil
        compared = 0
        contentDifference = nil
        guard memberDifference == nil, index < existing.entries.count else { return }
        let have = existing.entries[index]
        guard have.rawName == rawName else {
            memberDifference = "member \(have.index) is named '\(have.name)', re-derived '\(name)'"
            return
        }
        entry = have
        do {
            source = try existing.openMember(have)
        } catch {
            memberDifference = "member '\(have.name)' cannot be compared: \(error)"
            entry = nil
        }
    }

    /// The member's next uncompressed bytes: compared with the existing member's next bytes.
    func compare(_ bytes: UnsafeRawBufferPointer) {
        guard let source, let entry, contentDifference == nil, memberDifference == nil else { return }
        var done = 0
        while done < bytes.count {
            let want = min(buffer.count, bytes.count - done)
            let got: Int
            do {
                got = try source.readFully(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
            } catch {
                contentDifference = "member '\(entry.name)' cannot be compared: \(error)"
                return
            }
            let common = min(got, want)
            if memcmp(buffer.baseAddress!, bytes.baseAddress! + done, common) != 0 {
                var at = 0
                while buffer[at] == bytes[done + at] { at += 1 }
                contentDifference =
                    "member '\(entry.name)' differs from the re-derived bytes at offset \(compared + UInt64(at))"
                return
            }
            compared += UInt64(got)
            if got < want {
                contentDifference = "member '\(entry.name)' differs from the re-derived bytes at offset \(compared)"
                return
            }
            done += want
        }
    }

    /// The member ended with `record` (its CRC and sizes): its metadata, then its content, are checked.
    func end(_ record: WrittenMember) {
        defer {
            source = nil
            entry = nil
        }
        guard memberDifference == nil, let have = entry, let source else { return }
        if have.method != record.method {
            memberDifference = "member '\(have.name)' uses method \(have.method), re-derived \(record.method)"
        } else if have.flags != record.flags || have.dosDateTime != record.dosDateTime {
            memberDifference = "member '\(have.name)' has other flags or time than the re-derived one"
        } else if have.uncompressedSize != record.uncompressedSize {
            memberDifference =
                "member '\(have.name)' holds \(have.uncompressedSize) bytes, re-derived \(record.uncompressedSize)"
        } else if have.crc32 != record.crc32 {
            memberDifference =
                "member '\(have.name)' has CRC-32 \(Self.hex(have.crc32)), re-derived \(Self.hex(record.crc32))"
        } else if have.method == .stored, have.compressedSize != record.compressedSize {
            memberDifference =
                "member '\(have.name)' stores \(have.compressedSize) bytes, re-derived \(record.compressedSize)"
        } else if let contentDifference {
            memberDifference = contentDifference
        } else {
            // The existing member must end here too; reading its end checks its CRC-32.
            do {
                let more = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<1]))
                if more > 0 {
                    memberDifference = "member '\(have.name)' differs from the re-derived bytes at offset \(compared)"
                }
            } catch {
                memberDifference = "member '\(have.name)' cannot be compared: \(error)"
            }
        }
    }

    /// The archive ended with `count` members and `comment`: the verdict, in the order of
    /// priority of the member count, the comment, then the first member that differs.
    func finish(count: Int, comment: [UInt8]) {
        if existing.entries.count != count {
            difference = "\(existing.entries.count) members, re-derived \(count)"
        } else if existing.comment != comment {
            difference = "archive comment differs from the re-derived one"
        } else {
            difference = memberDifference
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// Where a content-comparing writer's archive bytes go: nowhere.
final class DiscardingOutputSink: OutputSink, @unchecked Sendable {
    let name: String

    init(name: String) { self.name = name }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {}
    func setLength(_ length: Int) throws {}
    var descriptorForKernelCopy: FileDescriptor? { nil }
}
