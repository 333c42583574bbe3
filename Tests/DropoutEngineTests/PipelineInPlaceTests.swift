import DropoutEngine
import Foundation
import NPYFormat
import NPYStream
import Testing

/// A sink that lends memory for its next bytes in rooms of the sizes given (cycled), as a deflate
/// block's input does: some smaller than an element, most ending inside an element.
private final class LendingMemorySink: InPlaceByteSink {
    private(set) var bytes: [UInt8] = []
    private let rooms: [Int]
    private var next = 0
    private(set) var lentBytes = 0
    var lendsMemory: Bool { true }

    init(rooms: [Int]) { self.rooms = rooms }

    func write(_ data: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: data) }

    func writeInPlace(limit: Int, _ fill: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Int {
        let room = min(limit, rooms[next % rooms.count])
        next += 1
        var lent = [UInt8](repeating: 0xEE, count: room)
        let written = try lent.withUnsafeMutableBytes { try fill($0) }
        precondition((0...room).contains(written))
        bytes += lent[0..<written]
        lentBytes += written
        return written
    }
}

/// Results read and transformed in the output's lent memory (`InPlaceByteSink`) are the bytes of
/// the copying path, for every dtype and whatever sizes the rooms have.
@Suite struct PipelineInPlaceTests {
    @Test(arguments: ["<f4", "<f8", "<c16", "|u1", "|b1", ">i2"])
    func lentMemoryGivesTheSameResultsAndMasks(descr: String) throws {
        let dtypes: [String: DType] = [
            "<f4": DType(kind: .float, itemSize: 4, byteOrder: .little),
            "<f8": DType(kind: .float, itemSize: 8, byteOrder: .little),
            "<c16": DType(kind: .complex, itemSize: 16, byteOrder: .little),
            "|u1": DType(kind: .unsignedInteger, itemSize: 1, byteOrder: .notApplicable),
            "|b1": DType(kind: .bool, itemSize: 1, byteOrder: .notApplicable),
            ">i2": DType(kind: .signedInteger, itemSize: 2, byteOrder: .big),
        ]
        let dtype = try #require(dtypes[descr])
        let shape = [7, 300, 5]
        let count = shape.reduce(1, *)
        var random = TestRandom(seed: 77)
        var input = NPYHeaderEncoder.encode(dtype: dtype, fortranOrder: false, shape: shape)
        for _ in 0..<(count * dtype.itemSize) {
            input.append(dtype.kind == .bool ? UInt8(random.below(2)) : UInt8(random.below(256)))
        }
        let header = try PipelineHarness.header(of: input)
        for (rate, spec) in [(0.0, [nil, nil, nil]), (0.4, [nil, nil, nil]), (0.5, [nil, 1, nil])] as [(Double, [Int?])]
        {
            let options = DropoutOptions(rate: rate, noiseSpec: NoiseSpec(entries: spec), seed: 3)
            let plan = try ArrayDropoutPlan(
                header: header, key: ArrayKey(string: "lent"), options: options, name: "in.npy")
            let expected = try PipelineHarness.runSequential(plan, input: input, chunkElements: nil)
            for rooms in [[1 << 20], [3, 1_000, 7, 4_096, 1], [65_537, 15, 16, 17]] {
                for chunk in [nil, 100] as [Int?] {
                    let reader = try NPYReader(source: PipelineMemorySource(input), name: plan.name)
                    let output = LendingMemorySink(rooms: rooms)
                    let mask = PipelineMemorySink()
                    try plan.run(
                        reader: reader, output: output, outputName: "out.npy", mask: mask, maskName: "mask.npy",
                        scratch: DropoutScratch(chunkBytes: 1 << 16), chunkElements: chunk)
                    let label = "\(descr) rate \(rate) rooms \(rooms) chunk \(String(describing: chunk))"
                    #expect(output.bytes == expected.output, "\(label)")
                    #expect(mask.bytes == expected.mask, "\(label)")
                    #expect(
                        output.lentBytes > 0 || rooms[0] < dtype.itemSize, "\(label): nothing went through lent memory")
                }
            }
        }
    }
}
