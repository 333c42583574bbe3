/// Where the central directory is, as the end records (classic and zip64) say.
struct CentralDirectoryLocation: Equatable {
    /// Entries the archive declares.
    var entryCount: UInt64
    /// Bytes the central directory occupies.
    var size: UInt64
    /// Offset of the first central directory header.
    var offset: UInt64
    /// Offset where the end records begin (zip64 end record if present, else the classic one);
    /// the central directory must end at or before it.
    var endRecordsOffset: UInt64
    /// The archive comment.
    var comment: [UInt8]
}

/// Finds and decodes the end-of-central-directory record in the archive's `tail` (its last bytes,
/// `tail[0]` being at file offset `tailOffset`), then the zip64 end record through its locator.
/// `readAt` reads bytes at an absolute offset (for a zip64 record outside the tail).
enum EndOfCentralDirectory {
    static func locate(
        fileSize: UInt64, tail: [UInt8], tailOffset: UInt64,
        readAt: (UInt64, Int) throws(ZipError) -> [UInt8]
    ) throws(ZipError) -> CentralDirectoryLocation {
        guard let eocd = findEndRecord(tail) else {
            throw ZipError.missingEndRecord(fileSize: fileSize)
        }
        let eocdOffset = tailOffset + UInt64(eocd)
        let diskNumber = tail.le16(at: eocd + 4)
        let cdDisk = tail.le16(at: eocd + 6)
        let entriesOnDisk = tail.le16(at: eocd + 8)
        let entriesTotal = tail.le16(at: eocd + 10)
        let cdSize = tail.le32(at: eocd + 12)
        let cdOffset = tail.le32(at: eocd + 16)
        let commentLength = Int(tail.le16(at: eocd + 20))
        let comment = Array(tail[(eocd + 22)..<(eocd + 22 + commentLength)])

        var location = CentralDirectoryLocation(
            entryCount: UInt64(entriesTotal), size: UInt64(cdSize), offset: UInt64(cdOffset),
            endRecordsOffset: eocdOffset, comment: comment)

        // A zip64 end locator sits immediately before the classic end record.
        var hasZip64 = false
        if eocdOffset >= UInt64(ZipRecordSize.zip64EndLocator) {
            let locatorOffset = eocdOffset - UInt64(ZipRecordSize.zip64EndLocator)
            let locator: [UInt8]
            if eocd >= ZipRecordSize.zip64EndLocator {
                locator = Array(tail[(eocd - ZipRecordSize.zip64EndLocator)..<eocd])
            } else {
                locator = try readAt(locatorOffset, ZipRecordSize.zip64EndLocator)
            }
            if locator.count == ZipRecordSize.zip64EndLocator,
                locator.le32(at: 0) == ZipSignature.zip64EndLocator
            {
                hasZip64 = true
                location = try readZip64(
                    locator: locator, locatorOffset: locatorOffset, comment: comment,
                    readAt: readAt)
            }
        }
        if !hasZip64 {
            guard diskNumber == 0, cdDisk == 0, entriesOnDisk == entriesTotal else {
                throw ZipError.unsupportedFeature(
                    member: nil,
                    feature: "archive spans several disks (disk \(diskNumber), central directory on disk \(cdDisk), "
                        + "\(entriesOnDisk) of \(entriesTotal) entries here)")
            }
        }
        guard location.offset <= location.endRecordsOffset,
            location.size <= location.endRecordsOffset - location.offset
        else {
            throw ZipError.corrupt(
                member: nil,
                detail: "central directory at offset \(location.offset) with size \(location.size) does not end "
                    + "before the end records at offset \(location.endRecordsOffset)")
        }
        return location
    }

    /// The index in `tail` of the last end record signature whose comment fits in the tail.
    /// A record whose comment runs exactly to the end of the file is preferred.
    static func findEndRecord(_ tail: [UInt8]) -> Int? {
        let size = ZipRecordSize.endOfCentralDirectory
        guard tail.count >= size else { return nil }
        var fallback: Int?
        var i = tail.count - size
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4b, tail[i + 2] == 0x05, tail[i + 3] == 0x06 {
                let commentLength = Int(tail.le16(at: i + 20))
                let end = i + size + commentLength
                if end == tail.count { return i }
                if end < tail.count, fallback == nil { fallback = i }
            }
            i -= 1
        }
        return fallback
    }

    private static func readZip64(
        locator: [UInt8], locatorOffset: UInt64, comment: [UInt8],
        readAt: (UInt64, Int) throws(ZipError) -> [UInt8]
    ) throws(ZipError) -> CentralDirectoryLocation {
        let recordDisk = locator.le32(at: 4)
        let recordOffset = locator.le64(at: 8)
        let totalDisks = locator.le32(at: 16)
        guard recordDisk == 0, totalDisks <= 1 else {
            throw ZipError.unsupportedFeature(
                member: nil,
                feature: "archive spans several disks (zip64 locator: disk \(recordDisk) of \(totalDisks))")
        }
        guard recordOffset <= locatorOffset,
            locatorOffset - recordOffset >= UInt64(ZipRecordSize.zip64EndOfCentralDirectory)
        else {
            throw ZipError.corrupt(
                member: nil,
                detail: "zip64 end record offset \(recordOffset) leaves no room for the 56-byte record before "
                    + "the locator at \(locatorOffset)")
        }
        let record = try readAt(recordOffset, ZipRecordSize.zip64EndOfCentralDirectory)
        guard record.count == ZipRecordSize.zip64EndOfCentralDirectory else {
            throw ZipError.truncated(
                member: nil, detail: "zip64 end record at offset \(recordOffset) is cut short")
        }
        guard record.le32(at: 0) == ZipSignature.zip64EndOfCentralDirectory else {
            throw ZipError.corrupt(
                member: nil,
                detail: "expected zip64 end record signature PK\\6\\6 at offset \(recordOffset), "
                    + "found 0x\(String(record.le32(at: 0), radix: 16))")
        }
        let diskNumber = record.le32(at: 16)
        let cdDisk = record.le32(at: 20)
        let entriesOnDisk = record.le64(at: 24)
        let entriesTotal = record.le64(at: 32)
        guard diskNumber == 0, cdDisk == 0, entriesOnDisk == entriesTotal else {
            throw ZipError.unsupportedFeature(
                member: nil,
                feature: "archive spans several disks (zip64 end record: disk \(diskNumber), central directory "
                    + "on disk \(cdDisk), \(entriesOnDisk) of \(entriesTotal) entries here)")
        }
        return CentralDirectoryLocation(
            entryCount: entriesTotal, size: record.le64(at: 40), offset: record.le64(at: 48),
            endRecordsOffset: recordOffset, comment: comment)
    }
}
