/// All keep flags of one array's noise, drawn once (1 byte per noise element, C order of the
/// noise shape) and then read by every chunk and worker. Immutable after init.
final class NoiseTable: @unchecked Sendable {
    /// Number of flags.
    let count: Int
    private let storage: UnsafeMutableBufferPointer<UInt8>

    /// Draws `count` flags from `stream` (advancing a copy of it by `count` draws).
    convenience init(stream: PCG64, count: Int, rule: KeepRule) {
        self.init(count: count) { flags in
            var rng = stream
            rng.fillKeep(flags, rule: rule, parts: PCG64.keepParts)
        }
    }

    /// `count` flags written once by `fill` (which gets the whole table).
    init(count: Int, fill: (UnsafeMutableBufferPointer<UInt8>) -> Void) {
        precondition(count >= 0, "noise count must be non-negative")
        self.count = count
        storage = .allocate(capacity: max(count, 1))
        fill(UnsafeMutableBufferPointer(rebasing: storage[..<count]))
    }

    deinit {
        storage.deallocate()
    }

    /// Gives `body` the `count` flags; the pointer must not escape the call.
    func withFlags<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(rebasing: storage[..<count]))
    }
}
