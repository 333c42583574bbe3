import DropoutFiles
import NPYFormat

/// The progress line on a terminal: files done/total, bytes, rate, ETA, redrawn with `\r` at
/// most 10 times a second. Does nothing when disabled (not a terminal, or `--quiet`).
final class ProgressMeter: Sendable {
    private struct State {
        var files = 0
        var bytes: Int64 = 0
        var lastDraw: ContinuousClock.Instant?
        var drawnWidth = 0
    }

    private let label: String
    private let totalFiles: Int
    private let totalBytes: Int64
    private let console: RunConsole
    private let enabled: Bool
    private let started = ContinuousClock.now
    private let state = Locked(State())

    init(label: String, totalFiles: Int, totalBytes: Int64, console: RunConsole, enabled: Bool) {
        self.label = label
        self.totalFiles = totalFiles
        self.totalBytes = totalBytes
        self.console = console
        self.enabled = enabled
    }

    /// Counts one finished file of `bytes` input bytes and redraws if due.
    func fileDone(bytes: Int64) {
        guard enabled else { return }
        state.withLock { state in
            state.files += 1
            state.bytes += bytes
            let now = ContinuousClock.now
            if let last = state.lastDraw, now - last < .milliseconds(100), state.files < totalFiles { return }
            state.lastDraw = now
            let elapsed = seconds(now - started)
            let rate = elapsed > 0 ? Double(state.bytes) / elapsed : 0
            let eta = rate > 0 ? Double(totalBytes - state.bytes) / rate : .infinity
            let text =
                "\(label) \(state.files)/\(totalFiles) files, \(HumanUnits.bytes(Double(state.bytes)))"
                + " of \(HumanUnits.bytes(Double(totalBytes))), \(HumanUnits.bytes(rate))/s, ETA \(HumanUnits.duration(eta))"
            let padding = String(repeating: " ", count: max(0, state.drawnWidth - text.count))
            state.drawnWidth = text.count
            console.writeError("\r" + text + padding)
        }
    }

    /// Writes `npdrop: <message>` on its own line, above the progress line when one is drawn.
    func message(_ text: String) {
        guard enabled else {
            console.line(text)
            return
        }
        state.withLock { state in
            let clear = state.drawnWidth > 0 ? "\r" + String(repeating: " ", count: state.drawnWidth) + "\r" : ""
            state.drawnWidth = 0
            state.lastDraw = nil
            console.writeError(clear + MessageText.errorLine(text))
        }
    }

    /// Clears the progress line.
    func finish() {
        guard enabled else { return }
        state.withLock { state in
            if state.drawnWidth > 0 {
                console.writeError("\r" + String(repeating: " ", count: state.drawnWidth) + "\r")
                state.drawnWidth = 0
            }
        }
    }
}

/// Seconds in a `Duration`.
func seconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
}
