import NPDropPlatform

/// The last few results of a pure, deterministic function, shared by every worker: a dataset of
/// one small `.npy` per sample repeats the same header text and shape file after file, and
/// parsing or encoding it again costs more than the rest of the file's work in user space.
///
/// At most `capacity` entries (the oldest is replaced), so memory never grows with the number of
/// files; a lookup compares whole keys, so a hit returns exactly what computing would return.
/// Only successful results are kept: an input that fails is computed (and fails) every time.
public final class RecentResults<Key: Equatable & Sendable, Value: Sendable>: @unchecked Sendable {
    private struct Entries {
        var items: [(key: Key, value: Value)] = []
        var next = 0
    }

    private let capacity: Int
    /// A pthread mutex (which the thread sanitizer follows) guards `entries`.
    private let mutex = PlatformMutex()
    private var entries = Entries()

    /// An empty cache of at most `capacity` (at least 1) entries.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The value kept for `key`, else `compute()`'s, which is then kept (a thrown error is not).
    public func value<E: Error>(for key: Key, _ compute: () throws(E) -> Value) throws(E) -> Value {
        let kept = mutex.locked { entries.items.first { $0.key == key }?.value }
        if let kept { return kept }
        let value = try compute()
        mutex.locked {
            if entries.items.count < capacity {
                entries.items.append((key, value))
            } else {
                entries.items[entries.next] = (key, value)
                entries.next = (entries.next + 1) % capacity
            }
        }
        return value
    }
}
