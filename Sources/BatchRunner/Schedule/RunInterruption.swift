import Dispatch
import NPDropPlatform

private func ignoreSignal(_ number: Int32) { _ = signal(number, SIG_IGN) }

/// A request to stop a run early, set by the first SIGINT or SIGTERM (contract §4.4).
///
/// The scheduler then starts no more files and aborts the ones in flight (an `.npy` at its next
/// segment, an `.npz` at its next output write); the runner removes their temporaries, writes
/// the manifest of what finished and exits 128 + the signal number. A second signal ends the
/// process at once with that status.
public final class RunInterruption: Sendable {
    private let received = Locked<Int32?>(nil)
    private let sources = Locked<[any DispatchSourceSignal]>([])

    /// An interruption that only `request(signal:)` sets (no signal handler).
    public init() {}

    /// The signal that asked the run to stop, or nil.
    public var signal: Int32? { received.withLock { $0 } }

    /// True once a stop was requested.
    public var isRequested: Bool { signal != nil }

    /// Asks the run to stop as if `signal` had arrived; returns false when a stop was already
    /// requested.
    @discardableResult
    public func request(signal: Int32) -> Bool {
        received.withLock { value -> Bool in
            guard value == nil else { return false }
            value = signal
            return true
        }
    }

    /// The exit status for the received signal: 128 + its number (130 for SIGINT, 143 for SIGTERM).
    public var exitCode: Int32? { signal.map { 128 + $0 } }

    /// Routes SIGINT and SIGTERM of this process to a new interruption: the first one requests
    /// a stop, the second exits the process at once (`_exit(128 + signal)`).
    public static func handlingSignals() -> RunInterruption {
        let interruption = RunInterruption()
        let queue = DispatchQueue(label: "npdrop.signals")
        var made: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            ignoreSignal(number)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [interruption] in
                if !interruption.request(signal: number) { _exit(128 + number) }
            }
            source.resume()
            made.append(source)
        }
        interruption.sources.withLock { $0 = made }
        return interruption
    }
}

/// Thrown into a file being written when the run is interrupted.
struct RunInterrupted: Error, CustomStringConvertible {
    var description: String { "interrupted" }
}
