import NPYStream

/// Turns the byte stream of a bool mask `.npy` (its header of `boolHeaderLength` bytes, then one 0/1
/// byte per flag) into the packed mask `.npy`: the packed header, then 8 flags a byte, big bit order.
/// Bytes go to `emit` in order; `finish()` emits the last partial byte. Allocates nothing per write.
public final class PackedMaskSink: ByteSink {
    private let emit: (UnsafeRawBufferPointer) throws -> Void
    private let headerToSkip: Int
    private var skipped = 0
    private var headerWritten = false
    private let header: [UInt8]
    private var current: UInt8 = 0
    private var bitsInCurrent = 0
    private var packed = [UInt8](repeating: 0, count: 1 << 14)

    /// A sink for the mask of `count` flags whose bool header is `boolHeaderLength` bytes long.
    public init(boolHeaderLength: Int, count: Int, emit: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.emit = emit
        self.headerToSkip = boolHeaderLength
        self.header = MaskFormat.packedHeaderBytes(count: count)
    }

    /// Takes the next bytes of the bool mask file.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        if skipped < headerToSkip {
            let skip = min(headerToSkip - skipped, rest.count)
            skipped += skip
            rest = UnsafeRawBufferPointer(rebasing: rest[skip...])
        }
        try writeHeaderOnce()
        while !rest.isEmpty {
            let take = min(rest.count, (packed.count - 1) * 8)
            var produced = 0
            packed.withUnsafeMutableBufferPointer { out in
                for index in 0..<take {
                    current = current << 1 | (rest[index] & 1)
                    bitsInCurrent += 1
                    if bitsInCurrent == 8 {
                        out[produced] = current
                        produced += 1
                        current = 0
                        bitsInCurrent = 0
                    }
                }
            }
            if produced > 0 {
                try packed.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
            }
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
        }
    }

    /// Emits the header (for an empty mask) and the last byte, its unused low bits zero.
    public func finish() throws {
        try writeHeaderOnce()
        guard bitsInCurrent > 0 else { return }
        var last = current << UInt8(8 - bitsInCurrent)
        bitsInCurrent = 0
        current = 0
        try withUnsafeBytes(of: &last) { try emit($0) }
    }

    private func writeHeaderOnce() throws {
        guard !headerWritten, skipped == headerToSkip else { return }
        headerWritten = true
        try header.withUnsafeBytes { try emit($0) }
    }
}
