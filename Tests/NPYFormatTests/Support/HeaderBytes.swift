@testable import NPYFormat

/// Builds `.npy` prefixes with arbitrary header text, for quirk and corruption tests.
enum HeaderBytes {
    /// Magic, `version`, little-endian length of `text`, then `text` as bytes.
    static func file(_ text: String, version: NPYVersion = .v1) -> [UInt8] {
        file(bytes: Array(text.utf8), version: version)
    }

    static func file(bytes text: [UInt8], version: NPYVersion = .v1) -> [UInt8] {
        var bytes = NPYHeaderParser.magic + [version.major, version.minor]
        let fieldSize = NPYHeaderParser.headerLengthFieldSize(for: version)
        for index in 0..<fieldSize {
            bytes.append(UInt8(truncatingIfNeeded: text.count >> (8 * index)))
        }
        return bytes + text
    }

    /// Parses `text` as a v1.0 header; returns the header or the thrown format error.
    static func parse(_ text: String, version: NPYVersion = .v1) -> Result<NPYHeader, NPYFormatError> {
        parse(bytes: file(text, version: version))
    }

    static func parse(bytes: [UInt8]) -> Result<NPYHeader, NPYFormatError> {
        do {
            return .success(try NPYHeaderParser.parse(bytes))
        } catch let error as NPYFormatError {
            return .failure(error)
        } catch {
            fatalError("non-format error \(error)")
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
    var success: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}
