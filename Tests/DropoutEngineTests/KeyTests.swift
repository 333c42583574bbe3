import Foundation
import Testing

@testable import DropoutEngine

@Test func keyWordsArePaddedLittleEndian() {
    #expect(ArrayKey(string: "").words == [])
    #expect(ArrayKey(string: "a").words == [0x61])
    #expect(ArrayKey(string: "abcd").words == [0x6463_6261])
    #expect(ArrayKey(string: "abcde").words == [0x6463_6261, 0x65])
    #expect(ArrayKey(string: "é").bytes == [0xC3, 0xA9])
}

@Test func npzMemberKeyJoinsWithANulByte() {
    let key = ArrayKey(relpath: "a/b.npz", member: "x.npy")
    #expect(key.bytes == Array("a/b.npz".utf8) + [0] + Array("x.npy".utf8))
    #expect(key == ArrayKey(string: "a/b.npz\u{0}x.npy"))
    #expect(ArrayKey(relpath: "a/b.npy") == ArrayKey(string: "a/b.npy"))
    #expect(key.spawnKey(copy: 2) == [2, 13] + key.words.map(UInt64.init))
    // "a/b." "npz\0" "x.np" "y" as little-endian words.
    #expect(key.spawnKey(copy: 0) == [0, 13, 0x2E62_2F61, 0x007A_706E, 0x706E_2E78, 0x79])
}

@Test func streamIsPCG64OfTheSpawnedSeedSequence() {
    let key = ArrayKey(relpath: "train/x.npy")
    var stream = key.stream(seed: 42, copy: 3)
    var direct = PCG64(SeedSequence(seed: 42, spawnKey: [3, 11] + key.words.map(UInt64.init)))
    #expect(stream.next() == direct.next())
    #expect(key.stream(seed: 42, copy: 0) != key.stream(seed: 42, copy: 1))
    #expect(key.stream(seed: 42, copy: 0) != ArrayKey(relpath: "train/y.npy").stream(seed: 42, copy: 0))
}

/// Keys from real strings (unicode, NUL separators, every length mod 4, long paths) against the
/// Python reference's spawn_key, and their streams against NumPy's.
@Test(.enabled(if: Reference.hasPython)) func keysMatchReferenceAndLiveNumPy() throws {
    var keys: [(relpath: String, member: String?)] = [
        ("", nil), ("a", nil), ("ab", nil), ("abc", nil), ("abcd", nil), ("abcde", nil), ("x.npy", nil),
        ("data/train/img_0001.npy", nil), ("données/été.npy", nil), ("日本語/配列.npz", "x.npy"),
        ("🎲/dice.npz", "arr_0.npy"), ("a.npz", ""), ("sub dir/with space.npz", "nested/name.npy"),
        (String(repeating: "long/", count: 41) + "z.npy", nil), ("ÿ", "€"),
    ]
    for length in 0..<9 { keys.append((String(repeating: "k", count: length), "m")) }
    var cases: [[Any]] = []
    var random = TestRandom(seed: 1234)
    for (index, key) in keys.enumerated() {
        let seed = index == 0 ? UInt64.max : random.next() >> UInt64(random.below(64))
        cases.append([key.relpath, key.member ?? NSNull(), index % 4, NSNumber(value: seed)])
    }
    let script = """
        import json, sys
        from npdrop_ref import array_key, spawn_key, generator
        out = []
        for relpath, member, copy, seed in json.load(open(sys.argv[1])):
            spawn = spawn_key(array_key(relpath, member), copy)
            g = generator(seed, spawn)
            out.append([[str(v) for v in spawn], [str(int(v)) for v in g.bit_generator.random_raw(2)]])
        print(json.dumps(out))
        """
    let answers = try #require(try Reference.json(try Reference.runPython(script, jsonInput: cases)) as? [[Any]])
    try #require(answers.count == keys.count)
    for (index, key) in keys.enumerated() {
        let arrayKey = ArrayKey(relpath: key.relpath, member: key.member)
        let copy = index % 4
        let seed = (cases[index][3] as! NSNumber).uint64Value
        #expect(arrayKey.spawnKey(copy: copy).map { String($0) } == answers[index][0] as? [String], "\(key)")
        var stream = arrayKey.stream(seed: seed, copy: copy)
        #expect([String(stream.next()), String(stream.next())] == answers[index][1] as? [String], "\(key)")
    }
}

/// A key given as raw bytes (a file name that is not UTF-8) goes through the same rule.
@Test(.enabled(if: Reference.hasPython)) func rawByteKeysMatchReference() throws {
    let bytes: [UInt8] = [0x66, 0xFF, 0x00, 0xC3, 0x28]
    let script = """
        from npdrop_ref import spawn_key
        print(",".join(str(v) for v in spawn_key(bytes([0x66, 0xFF, 0x00, 0xC3, 0x28]), 1)))
        """
    let line = try Reference.runPython(script).trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(ArrayKey(bytes: bytes).spawnKey(copy: 1).map { String($0) }.joined(separator: ",") == line)
}
