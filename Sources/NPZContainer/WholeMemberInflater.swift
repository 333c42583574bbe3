import NPDropLibdeflate
import NPDropPlatform

/// Inflates a deflated member in one libdeflate call (`libdeflate_deflate_decompress_ex`): its
/// compressed bytes read whole (one positioned read) into `input`, inflated into `output`, which
/// has room for exactly the declared size. About 1.4× ISA-L's streaming inflate on NumPy's float
/// members (docs/npz.md). Only for members whose two sizes are at most
/// `ZipArchiveReader.defaultWholeMemberLimit`, so its memory is bounded by that limit (twice).
///
/// It never reports anything itself: `inflate` either gives the member's bytes, exactly its
/// declared size, from exactly its compressed bytes and with its declared CRC-32, or says no, and
/// the member is then read by the streaming inflater from its start, which reports what is wrong
/// in the same words as always. Buffers grow (never shrink) and are reused through `pool`.
final class WholeMemberInflater: @unchecked Sendable {
    private let decompressor: OpaquePointer
    private var input: UnsafeMutableRawPointer?
    private var inputCapacity = 0
    private var output: UnsafeMutableRawPointer?
    private var outputCapacity = 0

    private init?() {
        guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
        self.decompressor = decompressor
    }

    deinit {
        libdeflate_free_decompressor(decompressor)
        input?.deallocate()
        output?.deallocate()
    }

    /// The compressed bytes of the last successful `inflate`.
    var compressed: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: input, count: compressedCount) }
    /// The inflated bytes of the last successful `inflate` (exactly the declared size).
    var inflated: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: output, count: inflatedCount) }
    private var compressedCount = 0
    private var inflatedCount = 0

    /// Reads `compressedSize` bytes at `offset` of `file` and inflates them into `declaredSize`
    /// bytes. True only when all went well: the read got every byte, libdeflate decoded a complete
    /// stream ending at the last compressed byte, it filled exactly `declaredSize` bytes (a stream
    /// that would go on is stopped there: `LIBDEFLATE_INSUFFICIENT_SPACE`) and their CRC-32 is
    /// `crc32`. I/O errors are not reported here (the streaming read meets them again).
    func inflate(
        _ file: ZipFileDescriptor, at offset: UInt64, compressedSize: Int, declaredSize: Int, crc32: UInt32
    ) -> Bool {
        compressedCount = 0
        inflatedCount = 0
        reserve(&input, &inputCapacity, compressedSize)
        reserve(&output, &outputCapacity, declaredSize)
        guard let input, let output else { return false }
        let got: Int
        do {
            got = try file.read(into: UnsafeMutableRawBufferPointer(start: input, count: compressedSize), at: offset)
        } catch {
            return false
        }
        guard got == compressedSize else { return false }
        var consumed = 0
        var produced = 0
        let status = libdeflate_deflate_decompress_ex(
            decompressor, input, compressedSize, output, declaredSize, &consumed, &produced)
        guard status == LIBDEFLATE_SUCCESS, consumed == compressedSize, produced == declaredSize else { return false }
        guard CRC32.checksum(UnsafeRawBufferPointer(start: output, count: declaredSize)) == crc32 else { return false }
        compressedCount = compressedSize
        inflatedCount = declaredSize
        return true
    }

    /// Grows `buffer` to at least `count` bytes (64 KiB multiples, so members of similar sizes
    /// share it); its old bytes are not kept.
    private func reserve(_ buffer: inout UnsafeMutableRawPointer?, _ capacity: inout Int, _ count: Int) {
        guard buffer == nil || capacity < count else { return }
        buffer?.deallocate()
        capacity = max(1, (count + 0xFFFF) & ~0xFFFF)
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
    }

    /// Idle inflaters, so their buffers (already faulted in) and decompressor are reused from
    /// member to member: at most one per core is kept.
    static let pool = Pool()

    /// A lock-guarded list of idle inflaters.
    final class Pool: @unchecked Sendable {
        private let mutex = PlatformMutex()
        private var idle: [WholeMemberInflater] = []
        private let maxIdle = max(2, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

        /// An idle inflater, or a new one; nil only if libdeflate cannot allocate one.
        func take() -> WholeMemberInflater? {
            if let reused = mutex.locked({ idle.popLast() }) { return reused }
            return WholeMemberInflater()
        }

        /// Returns `inflater` for reuse (dropped when enough are idle).
        func give(_ inflater: WholeMemberInflater) {
            inflater.compressedCount = 0
            inflater.inflatedCount = 0
            mutex.locked {
                if idle.count < maxIdle { idle.append(inflater) }
            }
        }
    }
}
