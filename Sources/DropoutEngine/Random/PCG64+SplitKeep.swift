import Dispatch
import NPDropPlatform

extension PCG64 {
    /// Draws at or above which `fillKeep(_:rule:parts:)` splits the work across threads: about
    /// 0.1 ms of draws, against a few microseconds to hand a part to another thread.
    public static let splitKeepMinimumCount = 1 << 18

    /// `fillKeep` with the buffer cut into `parts` equal pieces drawn at once on the Dispatch
    /// pool, each from its own copy of the stream advanced to the piece's first draw: the same
    /// bytes and end state as one `fillKeep`, for one big array on several cores. Draws fewer
    /// than `splitKeepMinimumCount` (or `parts` of 1) are drawn on the calling thread.
    public mutating func fillKeep(_ out: UnsafeMutableBufferPointer<UInt8>, rule: KeepRule, parts: Int) {
        let count = out.count
        guard parts > 1, count >= Self.splitKeepMinimumCount, let base = out.baseAddress else {
            fillKeep(out, rule: rule)
            return
        }
        let start = self
        // The parts write disjoint ranges of `out`, which outlives the call.
        let address = UInt(bitPattern: base)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let lower = count * part / parts
            let upper = count * (part + 1) / parts
            var rng = start
            rng.advance(by: UInt128(lower))
            let piece = UnsafeMutablePointer<UInt8>(bitPattern: address)! + lower
            rng.fillKeep(UnsafeMutableBufferPointer(start: piece, count: upper - lower), rule: rule)
        }
        advance(by: UInt128(count))
    }

    /// Online processors (at least 1): the parts a big fill is split into.
    public static let keepParts: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}
