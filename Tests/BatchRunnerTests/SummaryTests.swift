import Foundation
import Testing

@testable import BatchRunner

@Suite struct SummaryTests {
    @Test func humanUnits() {
        #expect(HumanUnits.bytes(0) == "0 B")
        #expect(HumanUnits.bytes(999) == "999 B")
        #expect(HumanUnits.bytes(1_200_000) == "1.20 MB")
        #expect(HumanUnits.bytes(45_600_000_000) == "45.6 GB")
        #expect(HumanUnits.bytes(310_000_000) == "310 MB")
        #expect(HumanUnits.duration(9) == "0:09")
        #expect(HumanUnits.duration(3725) == "1:02:05")
        #expect(HumanUnits.duration(.infinity) == "--:--")
        #expect(HumanUnits.duration(1e300) == "--:--")  // a stalled rate must not trap
        #expect(HumanUnits.fixed(13.0249, digits: 2) == "13.02")
        #expect(HumanUnits.fixed(2, digits: 2) == "2.00")
    }

    @Test func summaryLineAndJSON() throws {
        let summary = RunSummary(
            files: 40, tasks: 37, resumedTasks: 3, arrays: 97, arraysOK: 95, arraysCopied: 1,
            arrayErrors: 1, skipped: 2, bytesRead: 4_000_000_000, seconds: 13.02,
            seed: UInt64.max, shard: "1/4", exitCode: 1)
        #expect(
            summary.line
                == "40 files (3 resumed) in shard 1/4, 97 arrays (95 ok, 1 copied, 1 error), 4.00 GB read in 13.02 s (307 MB/s), seed 18446744073709551615"
        )
        let object = try #require(try JSONSerialization.jsonObject(with: Data(summary.json.utf8)) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "files", "tasks", "resumed_tasks", "arrays", "ok", "copied", "errors", "skipped",
                "bytes_read", "seconds", "bytes_per_second", "seed", "shard", "exit_code",
            ])
        #expect(summary.json.contains("\"seed\":18446744073709551615,"))
        #expect(object["exit_code"] as? Int == 1)
    }
}
