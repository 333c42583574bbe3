/// Maps the keep flags of a noise array (C order of the noise shape) onto the elements of an
/// array in its storage order (C order, or Fortran order — first axis fastest).
///
/// Each noise dim is 1 (broadcast along that axis) or the array's dim. Built once per array;
/// `fillKeep` then expands any range of storage-order elements, so chunks may split the array
/// anywhere and give the same flags as one call.
public struct BroadcastMap: Sendable, Hashable {
    /// The array's shape (C axis order, as in the header).
    public let shape: [Int]
    /// The noise shape: same rank, each dim 1 or equal to `shape`'s.
    public let noiseDims: [Int]
    /// True when the array is stored first axis fastest.
    public let fortranOrder: Bool
    /// Elements of the array (1 for a 0-d array).
    public let elementCount: Int
    /// Elements of the noise array: how many keep flags the RNG must draw.
    public let noiseElementCount: Int
    /// Storage-order axes with extent > 1, adjacent ones merged where possible, outermost first.
    private let extents: [Int]
    /// Per axis in `extents`: noise-index step for one step along it (0 where broadcast).
    private let noiseStrides: [Int]

    /// Checks the noise dims against `shape` and plans the walk.
    /// Throws `.noiseRankMismatch` / `.noiseDimMismatch` when a noise dim is not 1 or the
    /// array's, and `.invalidShape` for a negative dim or an element count that overflows.
    public init(shape: [Int], noiseDims: [Int], fortranOrder: Bool) throws(DropoutKernelError) {
        guard noiseDims.count == shape.count else { throw .noiseRankMismatch(shape: shape, noiseDims: noiseDims) }
        for axis in shape.indices where !(noiseDims[axis] == 1 || noiseDims[axis] == shape[axis]) {
            throw .noiseDimMismatch(shape: shape, noiseDims: noiseDims, axis: axis)
        }
        guard let count = Self.product(shape), let noiseCount = Self.product(noiseDims) else {
            throw .invalidShape(shape)
        }
        self.shape = shape
        self.noiseDims = noiseDims
        self.fortranOrder = fortranOrder
        self.elementCount = count
        self.noiseElementCount = noiseCount

        // C-order strides of the noise array; 0 along broadcast axes.
        var strides = [Int](repeating: 0, count: shape.count)
        var step = 1
        for axis in shape.indices.reversed() {
            strides[axis] = noiseDims[axis] == 1 ? 0 : step
            step &*= noiseDims[axis]
        }
        var order = Array(shape.indices)
        if fortranOrder { order.reverse() }

        // Drop extent-1 axes; merge an axis into the next inner one when stepping the outer
        // one equals stepping the inner one across its whole extent (copy·copy or bcast·bcast).
        var extents: [Int] = []
        var merged: [Int] = []
        if count > 0 {
            for axis in order where shape[axis] != 1 {
                let extent = shape[axis]
                let stride = strides[axis]
                if let last = extents.last, let lastStride = merged.last, lastStride == stride &* extent {
                    extents[extents.count - 1] = last &* extent
                    merged[merged.count - 1] = stride
                } else {
                    extents.append(extent)
                    merged.append(stride)
                }
            }
        }
        if extents.isEmpty {
            extents = [count]  // 0 or 1 element
            merged = [noiseCount == 1 && count == 1 ? 1 : 0]
        }
        self.extents = extents
        self.noiseStrides = merged
    }

    /// True when element `i` (storage order) uses noise flag `i`, so the caller can pass the
    /// noise flags of a chunk straight to the kernel and skip `fillKeep`. Holds for equal
    /// shapes in C order, and whenever the merged walk is one contiguous run (e.g. Fortran
    /// order with at most one axis longer than 1).
    public var isIdentity: Bool {
        elementCount == 0 || (extents.count == 1 && noiseStrides[0] == 1 && noiseElementCount == elementCount)
    }

    /// Writes the keep flag of each storage-order element in `elements` to
    /// `out[0 ..< elements.count]`, read from `noiseKeep` (all `noiseElementCount` noise flags
    /// in C order of the noise shape). Works per run of the innermost storage axis: a memset
    /// where that axis is broadcast, a copy where it is contiguous in the noise.
    /// Traps when `elements` is not inside `0..<elementCount`, `out` is shorter than it, or
    /// `noiseKeep` is shorter than `noiseElementCount` (caller bugs).
    public func fillKeep(
        elements: Range<Int>, noiseKeep: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>
    ) {
        precondition(elements.lowerBound >= 0 && elements.upperBound <= elementCount, "element range outside the array")
        precondition(out.count >= elements.count, "keep buffer shorter than the element range")
        precondition(noiseKeep.count >= noiseElementCount, "noise keep buffer shorter than the noise")
        let total = elements.count
        guard total > 0, let noise = noiseKeep.baseAddress, let dest = out.baseAddress else { return }
        let rank = extents.count
        extents.withUnsafeBufferPointer { extents in
            noiseStrides.withUnsafeBufferPointer { strides in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: rank) { index in
                    // Multi-index of the first element, and its noise offset.
                    var rest = elements.lowerBound
                    var noiseOffset = 0
                    for axis in (0..<rank).reversed() {
                        index[axis] = rest % extents[axis]
                        rest /= extents[axis]
                        noiseOffset &+= index[axis] &* strides[axis]
                    }
                    let inner = rank - 1
                    let innerExtent = extents[inner]
                    let innerStride = strides[inner]
                    // Rows along the next axis out repeat the same flags when it is broadcast.
                    let rowsRepeat = rank >= 2 && strides[inner - 1] == 0
                    var written = 0
                    var position = index[inner]
                    while true {
                        let run = min(innerExtent - position, total - written)
                        Self.writeRun(dest + written, noise: noise + noiseOffset, count: run, stride: innerStride)
                        let fullRow = position == 0
                        written &+= run
                        if written == total { break }
                        // The run reached the end of the inner axis: rewind it.
                        noiseOffset &-= position &* innerStride
                        position = 0
                        if rank >= 2 {
                            // Whole rows left along the next axis out, without carrying.
                            let rows = min(extents[inner - 1] - 1 - index[inner - 1], (total - written) / innerExtent)
                            if rows > 0 && rowsRepeat && fullRow {
                                Self.repeatRow(dest + (written - innerExtent), length: innerExtent, times: rows)
                                written &+= rows &* innerExtent
                            } else if rows > 0 {
                                let rowStride = strides[inner - 1]
                                for _ in 0..<rows {
                                    noiseOffset &+= rowStride
                                    Self.writeRun(
                                        dest + written, noise: noise + noiseOffset, count: innerExtent,
                                        stride: innerStride)
                                    written &+= innerExtent
                                }
                            }
                            index[inner - 1] &+= rows
                            if written == total { break }
                        }
                        // Carry outward.
                        var axis = inner - 1
                        while axis >= 0 {
                            index[axis] &+= 1
                            noiseOffset &+= strides[axis]
                            if index[axis] < extents[axis] { break }
                            noiseOffset &-= strides[axis] &* extents[axis]
                            index[axis] = 0
                            axis -= 1
                        }
                    }
                }
            }
        }
    }

    /// Writes `count` flags read from `noise` every `stride` flags (0: one flag repeated).
    @inline(__always)
    private static func writeRun(
        _ target: UnsafeMutablePointer<UInt8>, noise: UnsafePointer<UInt8>, count: Int, stride: Int
    ) {
        if stride == 0 {
            if count < 16 {
                let flag = noise[0]
                for j in 0..<count { target[j] = flag }
            } else {
                target.update(repeating: noise[0], count: count)
            }
        } else if stride == 1 {
            if count < 16 {
                for j in 0..<count { target[j] = noise[j] }
            } else {
                target.update(from: noise, count: count)
            }
        } else {
            var source = 0
            for j in 0..<count {
                target[j] = noise[source]
                source &+= stride
            }
        }
    }

    /// Appends `times` copies of the `length` bytes at `row` right after them, doubling the
    /// copied span each step.
    private static func repeatRow(_ row: UnsafeMutablePointer<UInt8>, length: Int, times: Int) {
        let total = length &* (times &+ 1)
        var filled = length
        while filled < total {
            let n = min(filled, total &- filled)
            (row + filled).update(from: row, count: n)
            filled &+= n
        }
    }

    /// The merged storage axes (outermost first) and their noise strides, for `forEachRun`.
    var walkAxes: (extents: [Int], noiseStrides: [Int]) { (extents, noiseStrides) }

    /// Product of `dims`, nil when one is negative or the product overflows `Int`.
    private static func product(_ dims: [Int]) -> Int? {
        var result = 1
        for dim in dims {
            guard dim >= 0 else { return nil }
            let (next, overflow) = result.multipliedReportingOverflow(by: dim)
            if overflow { return nil }
            result = next
        }
        return result
    }
}
