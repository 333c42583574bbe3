import Dispatch

/// One block of a member deflated on its own, and the buffers it is done in (reused block after block).
///
/// The writing thread fills `input` and `dictionary` and sets `sequence`; one thread (a worker or
/// the writing thread) runs `compress()` and hands the block to its `DeflateBlockEmitter`, which
/// writes `compressed` and signals `released`; the writing thread reuses the block only after
/// waiting on `released`. The queue, the emitter's mutex and the semaphore order these accesses:
/// no two threads touch the mutable state at the same time (the next block's `start(after:)`
/// only reads this block's input while it may be compressing or being written).
final class DeflateBlock: @unchecked Sendable {
    /// Signalled once each time the block has been compressed and emitted (or dropped).
    let released = DispatchSemaphore(value: 0)
    /// The block's place in its member (0 for the first), set by the writing thread before submitting.
    var sequence = 0
    /// The block's input bytes (capacity grows by doubling up to the block size).
    private(set) var input: UnsafeMutableRawBufferPointer
    private(set) var inputCount = 0
    /// The last (up to) 32 KiB of the previous block's input: the preset dictionary.
    private let dictionary: UnsafeMutableRawBufferPointer
    private var dictionaryCount = 0
    private var output: UnsafeMutableRawBufferPointer
    private var outputCount = 0
    /// The deflate state of the block's engine: exactly one of the two is set. (Two optionals rather
    /// than an enum with a class payload per case: such an enum keeps its case in the pointer's spare
    /// bits, which LeakSanitizer cannot follow, so every pooled block was reported as leaked.)
    private let zlibStream: DeflateStream?
    private let isalStream: IsalDeflateStream?
    private let maxInputCount: Int
    /// True when this is the member's last block (ended with `Z_FINISH` instead of `Z_SYNC_FLUSH`).
    var isLast = false
    /// What went wrong in `compress()`, if anything.
    private(set) var failure: ZipError?
    /// CRC-32 of the input, set by `compress()` (on the worker, so checksumming runs in parallel too).
    private(set) var inputCRC: UInt32 = 0

    /// deflate's window: the most a dictionary can use.
    static let windowSize = 32_768

    /// Allocates small buffers (they grow with the data, so a tiny member costs little) and a
    /// deflate stream of `engine` (at zlib `level` for zlib). Throws `ZipError.zlib` if zlib refuses.
    init(engine: DeflateEngine, level: Int, blockSize: Int) throws(ZipError) {
        switch engine {
        case .zlib:
            zlibStream = try DeflateStream(level: level, windowBits: -15, memLevel: 8)
            isalStream = nil
        case .isal:
            zlibStream = nil
            isalStream = IsalDeflateStream()
        }
        maxInputCount = blockSize
        input = .allocate(byteCount: min(blockSize, 1 << 16), alignment: 16)
        dictionary = .allocate(byteCount: Self.windowSize, alignment: 16)
        output = .allocate(byteCount: 1 << 12, alignment: 16)
    }

    deinit {
        input.deallocate()
        dictionary.deallocate()
        output.deallocate()
    }

    /// Free room left in the block.
    var remaining: Int { maxInputCount - inputCount }

    /// Appends the first `min(bytes.count, remaining)` bytes and returns that count.
    func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        let count = min(bytes.count, remaining)
        guard count > 0 else { return 0 }
        reserve(count)
        UnsafeMutableRawBufferPointer(rebasing: input[inputCount..<(inputCount + count)])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<count]))
        inputCount += count
        return count
    }

    /// Lends the next `min(limit, remaining)` bytes of the input buffer to `fill` and keeps the
    /// first n of them, n being what `fill` returns (trap if it is not in 0...room). Returns n.
    func fillInPlace(limit: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Int) -> Int {
        let count = min(limit, remaining)
        guard count > 0 else { return 0 }
        reserve(count)
        let written = fill(UnsafeMutableRawBufferPointer(rebasing: input[inputCount..<(inputCount + count)]))
        precondition((0...count).contains(written), "fillInPlace: more bytes reported than lent")
        inputCount += written
        return written
    }

    /// Grows the input buffer (doubling, at most to the block size) so that `count` more bytes fit.
    private func reserve(_ count: Int) {
        guard inputCount + count > input.count else { return }
        var capacity = input.count
        while capacity < inputCount + count { capacity *= 2 }
        let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: min(capacity, maxInputCount), alignment: 16)
        grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: input[0..<inputCount]))
        input.deallocate()
        input = grown
    }

    /// Empties the block and sets its dictionary to the last 32 KiB (or fewer) of `previous`'s input;
    /// `previous` nil for the member's first block.
    func start(after previous: DeflateBlock?) {
        inputCount = 0
        outputCount = 0
        isLast = false
        failure = nil
        dictionaryCount = 0
        guard let previous else { return }
        let count = min(previous.inputCount, Self.windowSize)
        dictionary.copyMemory(
            from: UnsafeRawBufferPointer(rebasing: previous.input[(previous.inputCount - count)..<previous.inputCount]))
        dictionaryCount = count
    }

    /// Deflates the input as a self-contained piece of one raw deflate stream: history primed with the
    /// dictionary, ended with a sync flush (or the final block when `isLast`). The output is a
    /// function of (engine, dictionary, input, level, isLast) only: one `deflate` call into room for
    /// `deflateBound` of the input (ISA-L: `IsalDeflateStream.outputBound`), so no buffer size or
    /// thread can change a byte. Records a failure in `failure`.
    func compress() {
        inputCRC = CRC32.checksum(UnsafeRawBufferPointer(rebasing: input[0..<inputCount]))
        if let stream = isalStream {
            compressWithISAL(stream)
        } else if let stream = zlibStream {
            compressWithZlib(stream)
        }
    }

    private func compressWithISAL(_ stream: IsalDeflateStream) {
        do throws(ZipError) {
            let needed = IsalDeflateStream.outputBound(sourceLength: inputCount)
            if output.count < needed {
                output.deallocate()
                output = .allocate(byteCount: needed, alignment: 16)
            }
            outputCount = try stream.compressBlock(
                UnsafeRawBufferPointer(rebasing: input[0..<inputCount]),
                dictionary: UnsafeRawBufferPointer(rebasing: dictionary[0..<dictionaryCount]), isLast: isLast,
                into: UnsafeMutableRawBufferPointer(rebasing: output[0..<needed]))
        } catch {
            outputCount = 0
            failure = error
        }
    }

    private func compressWithZlib(_ deflater: DeflateStream) {
        do throws(ZipError) {
            try deflater.reset()
            if dictionaryCount > 0 {
                try deflater.setDictionary(UnsafeRawBufferPointer(rebasing: dictionary[0..<dictionaryCount]))
            }
            // deflateBound covers one deflate call with Z_FINISH; a sync flush adds at most an empty
            // stored block (5 bytes) and a partial byte.
            let needed = deflater.bound(sourceLength: inputCount) + 64
            if output.count < needed {
                output.deallocate()
                output = .allocate(byteCount: needed, alignment: 16)
            }
            let flush: DeflateFlush = isLast ? .finish : .sync
            var consumed = 0
            outputCount = 0
            while true {
                if outputCount == output.count { grow() }
                let progress = try deflater.process(
                    UnsafeRawBufferPointer(rebasing: input[consumed..<inputCount]),
                    into: UnsafeMutableRawBufferPointer(rebasing: output[outputCount...]), flush: flush)
                consumed += progress.consumed
                outputCount += progress.produced
                // Done when the stream ended (finish), or when a sync flush took all input and left
                // output room (zlib: "until deflate returns with non-zero avail_out").
                if isLast ? progress.streamEnded : (consumed == inputCount && outputCount < output.count) { break }
                if progress.consumed == 0, progress.produced == 0, outputCount < output.count {
                    throw ZipError.zlib(operation: "deflate", code: -5, message: "no progress with free output space")
                }
            }
        } catch {
            failure = error
        }
    }

    /// The compressed bytes of the last `compress()`; valid until the block is started again.
    var compressed: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: output[0..<outputCount]) }

    /// Doubles the output buffer, keeping what it holds (never needed while deflateBound holds).
    private func grow() {
        let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: output.count * 2, alignment: 16)
        grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: output[0..<outputCount]))
        output.deallocate()
        output = grown
    }
}
