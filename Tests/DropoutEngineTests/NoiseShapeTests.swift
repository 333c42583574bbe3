import Foundation
import NPYFormat
import Testing

@testable import DropoutEngine

@Test func noiseSpecParsesCommandLineAndTupleForms() throws {
    let forms: [(String, [Int?])] = [
        ("None,1,None", [nil, 1, nil]), ("(None, 1, None)", [nil, 1, nil]), ("[None,1]", [nil, 1]),
        (" ( None , 3 ) ", [nil, 3]), ("(5,)", [5]), ("5", [5]), ("None", [nil]), ("()", []), ("", []),
        ("1,1,1,7", [1, 1, 1, 7]), ("none,0", [nil, 0]), ("None,\t2", [nil, 2]),
    ]
    for (text, entries) in forms {
        #expect(try NoiseSpec(parsing: text).entries == entries, "\(text)")
    }
    #expect(try NoiseSpec(parsing: "(None, 1, 4)").description == "None,1,4")
}

@Test func noiseSpecRejectsAnythingElseNamingTheText() {
    for bad in [
        "None,,1", "a", "-1", "1.5", "None 1", "(None", "None)", "+3", "0x10", ",", "(,)", "99999999999999999999999",
        "None,1,,",
    ] {
        #expect(throws: DropoutError.self, "\(bad)") { try NoiseSpec(parsing: bad) }
        do {
            _ = try NoiseSpec(parsing: bad)
        } catch {
            #expect(error.description.contains("'\(bad)'"), "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }
    #expect(
        DropoutError.badNoiseSpec(text: "None,x", reason: "entry 1 must be None or an integer >= 0, found 'x'")
            .description
            == "noise shape 'None,x' is not valid: entry 1 must be None or an integer >= 0, found 'x'")
}

@Test func explicitSpecResolvesEachAxis() throws {
    let spec = try NoiseSpec(parsing: "None,1,5,None")
    #expect(try spec.resolve(against: [2, 3, 5, 7]) == [2, 1, 5, 7])
    #expect(try NoiseSpec(parsing: "1,1").resolve(against: [1, 1]) == [1, 1])
    #expect(try NoiseSpec(parsing: "0,1").resolve(against: [0, 4]) == [0, 1])
    #expect(try NoiseSpec(parsing: "()").resolve(against: []) == [])
    #expect(throws: DropoutError.noiseEntryMismatch(spec: spec, shape: [2, 3, 4, 7], axis: 2)) {
        try spec.resolve(against: [2, 3, 4, 7])
    }
    #expect(throws: DropoutError.noiseRankMismatch(spec: spec, shape: [2, 3, 5])) {
        try spec.resolve(against: [2, 3, 5])
    }
    #expect(
        DropoutError.noiseEntryMismatch(spec: spec, shape: [2, 3, 4, 7], axis: 2).description
            == "noise shape None,1,5,None does not fit array shape (2, 3, 4, 7): axis 2 has size 4; its noise entry must be None, 1 or 4, found 5"
    )
    #expect(
        DropoutError.noiseRankMismatch(spec: spec, shape: [2, 3, 5]).description
            == "noise shape None,1,5,None has rank 4 but the array has shape (2, 3, 5) of rank 3")
}

/// Every row of the preset table in contract §3.1, both data formats.
@Test func presetsFollowTheContractTable() throws {
    func dims(_ v: Variant, _ f: DataFormat, _ shape: [Int]) throws -> [Int] {
        try noiseDims(variant: v, dataFormat: f, explicit: nil, shape: shape)
    }
    let rows: [(Variant, [Int], last: [Int], first: [Int])] = [
        (.spatial1d, [8, 10, 3], [8, 1, 3], [8, 10, 1]),
        (.spatial1d, [10, 3], [1, 3], [10, 1]),
        (.spatial2d, [8, 6, 5, 3], [8, 1, 1, 3], [8, 6, 1, 1]),
        (.spatial2d, [6, 5, 3], [1, 1, 3], [6, 1, 1]),
        (.spatial3d, [8, 4, 6, 5, 3], [8, 1, 1, 1, 3], [8, 4, 1, 1, 1]),
        (.spatial3d, [4, 6, 5, 3], [1, 1, 1, 3], [4, 1, 1, 1]),
    ]
    for (variant, shape, last, first) in rows {
        #expect(try dims(variant, .channelsLast, shape) == last, "\(variant) \(shape)")
        #expect(try dims(variant, .channelsFirst, shape) == first, "\(variant) \(shape)")
    }
    for variant in [Variant.dropout, .alpha] {
        for shape in [[], [0], [5], [2, 3], [2, 3, 4, 5, 6, 7]] {
            for format in DataFormat.allCases {
                #expect(try dims(variant, format, shape) == shape, "\(variant) \(shape)")
            }
        }
    }
}

@Test func spatialPresetsRejectOtherRanksNamingShapeAndRanks() {
    let accepted: [Variant: [Int]] = [.spatial1d: [3, 2], .spatial2d: [4, 3], .spatial3d: [5, 4]]
    for (variant, ranks) in accepted {
        for rank in 0...7 where !ranks.contains(rank) {
            let shape = Array(repeating: 2, count: rank)
            #expect(throws: DropoutError.unsupportedRank(variant: variant, shape: shape, acceptedRanks: ranks)) {
                try noiseDims(variant: variant, dataFormat: .channelsLast, explicit: nil, shape: shape)
            }
        }
    }
    #expect(
        DropoutError.unsupportedRank(variant: .spatial2d, shape: [5], acceptedRanks: [4, 3]).description
            == "spatial2d needs an array of rank 4 or 3, got shape (5,)")
}

@Test func explicitNoiseShapeOverridesThePreset() throws {
    let spec = try NoiseSpec(parsing: "1,None")
    for variant in Variant.allCases {
        #expect(try noiseDims(variant: variant, dataFormat: .channelsFirst, explicit: spec, shape: [4, 9]) == [1, 9])
    }
    #expect(throws: DropoutError.self) {
        try noiseDims(variant: .dropout, dataFormat: .channelsLast, explicit: spec, shape: [4, 9, 2])
    }
}

@Test func errorsAreWrappedWithTheFileOnce() {
    let inner = DropoutError.unsupportedRank(variant: .spatial1d, shape: [], acceptedRanks: [3, 2])
    #expect(
        FileError(path: "a/x.npy", underlying: inner).description
            == "a/x.npy: spatial1d needs an array of rank 3 or 2, got shape ()")
    let member = FileError(path: "a/b.npz", member: "y.npy", underlying: inner)
    #expect(member.description == "a/b.npz: member 'y.npy': spatial1d needs an array of rank 3 or 2, got shape ()")
    do {
        _ = try FileError.wrapping(path: "other") { () throws -> Int in throw member }
    } catch {
        #expect("\(error)" == member.description)
    }
    #expect(formatShape([3]) == "(3,)")
    #expect(formatShape([2, 3]) == "(2, 3)")
}

/// The Swift presets and explicit specs against the Python reference's noise_dims.
@Test(.enabled(if: Reference.hasPython)) func presetsMatchThePythonReference() throws {
    var cases: [[Any]] = []
    let shapes: [[Int]] = [
        [], [3], [4, 3], [2, 4, 3], [2, 5, 4, 3], [2, 3, 5, 4, 3], [1, 2, 3, 4, 5, 6], [2, 0, 3],
    ]
    for variant in Variant.allCases {
        for format in DataFormat.allCases {
            for shape in shapes {
                cases.append([variant.rawValue, format.rawValue, shape, NSNull()])
            }
        }
    }
    for spec in ["None,1,None", "1,4,3", "2,4,1", "None,None", "(None, 1, 3)", "1,0,3"] {
        cases.append(["dropout", "channels_last", [2, 4, 3], spec])
        cases.append(["spatial1d", "channels_first", [2, 0, 3], spec])
    }
    let script = """
        import json, sys
        from npdrop_ref import noise_dims, parse_noise_spec
        out = []
        for variant, fmt, shape, spec in json.load(open(sys.argv[1])):
            try:
                s = None if spec is None else parse_noise_spec(spec)
                out.append(list(noise_dims(variant, shape, s, fmt)))
            except ValueError:
                out.append(None)
        print(json.dumps(out))
        """
    let answers = try #require(try Reference.json(try Reference.runPython(script, jsonInput: cases)) as? [Any])
    try #require(answers.count == cases.count)
    for (c, answer) in zip(cases, answers) {
        let variant = try #require(Variant(rawValue: c[0] as! String))
        let format = try #require(DataFormat(rawValue: c[1] as! String))
        let spec = try (c[3] as? String).map { try NoiseSpec(parsing: $0) }
        let dims = try? noiseDims(variant: variant, dataFormat: format, explicit: spec, shape: c[2] as! [Int])
        #expect(dims == (answer as? [Int]), "\(c)")
    }
}
