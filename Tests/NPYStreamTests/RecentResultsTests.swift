import NPYStream
import Testing

/// The small shared cache of parsed and encoded headers: a hit returns what computing returns,
/// failures are never kept, and it never holds more than its capacity.
@Suite struct RecentResultsTests {
    private struct Failure: Error {}

    @Test func aKeptValueIsReturnedWithoutComputingAgain() {
        let cache = RecentResults<[UInt8], Int>(capacity: 2)
        var calls = 0
        for _ in 0..<5 {
            #expect(
                cache.value(for: [1, 2]) { () throws(Never) -> Int in
                    calls += 1
                    return 12
                } == 12)
        }
        #expect(calls == 1)
    }

    @Test func failuresAreComputedEveryTime() {
        let cache = RecentResults<String, Int>(capacity: 4)
        var calls = 0
        for _ in 0..<3 {
            #expect(throws: Failure.self) {
                try cache.value(for: "bad") { () throws(Failure) -> Int in
                    calls += 1
                    throw Failure()
                }
            }
        }
        #expect(calls == 3)
    }

    @Test func theOldestEntryMakesRoomAndKeysAreComparedWhole() {
        let cache = RecentResults<[Int], [Int]>(capacity: 3)
        var computed: [[Int]] = []
        func get(_ key: [Int]) -> [Int] {
            cache.value(for: key) { () throws(Never) -> [Int] in
                computed.append(key)
                return key + key
            }
        }
        for key in [[1], [2], [3], [1], [2], [3]] { #expect(get(key) == key + key) }
        #expect(computed == [[1], [2], [3]])
        #expect(get([4]) == [4, 4])  // replaces [1], the oldest
        #expect(get([2]) == [2, 2])
        #expect(get([1]) == [1, 1])
        #expect(get([1, 0]) == [1, 0, 1, 0])  // a key that only starts the same is another key
        #expect(computed == [[1], [2], [3], [4], [1], [1, 0]])
    }
}
