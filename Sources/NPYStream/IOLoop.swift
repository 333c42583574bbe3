import NPDropPlatform

/// The one place that retries interrupted system calls and loops over short reads and writes:
/// NPYStream's `FileDescriptor`, the zip layer's descriptor and the runner's file system all
/// call through it.
public enum IOLoop {
    /// Calls `call` until it returns something other than -1 with `errno == EINTR`.
    /// Returns its non-negative result; throws `NPYStreamError.system` for any other failure.
    public static func retryingInterrupts(_ operation: String, _ call: () -> Int) throws -> Int {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw NPYStreamError.system(operation: operation, code: code)
        }
    }

    /// Moves up to `count` bytes with a read-like `transfer(done)` (bytes moved so far in, bytes
    /// moved by this call out, 0 at end of input). Loops over short transfers and interrupts;
    /// returns the total, which is less than `count` only at end of input.
    public static func fill(_ operation: String, count: Int, _ transfer: (_ done: Int) -> Int) throws -> Int {
        var done = 0
        while done < count {
            let moved = try retryingInterrupts(operation) { transfer(done) }
            if moved == 0 { break }
            done += moved
        }
        return done
    }

    /// Moves exactly `count` bytes with a write-like `transfer(done)`. Loops over short transfers
    /// and interrupts; throws `.noProgress` if a call moves nothing, `.system` on failure.
    public static func drain(_ operation: String, count: Int, _ transfer: (_ done: Int) -> Int) throws {
        var done = 0
        while done < count {
            let moved = try retryingInterrupts(operation) { transfer(done) }
            if moved == 0 { throw NPYStreamError.noProgress(operation: operation) }
            done += moved
        }
    }
}
