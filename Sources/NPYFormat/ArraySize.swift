/// Overflow-checked sizes of arrays, for shapes that come from untrusted headers.
public enum ArraySize {
    /// Product of `shape` (1 for a 0-d array).
    /// Throws `NPYFormatError.sizeOverflow` if it does not fit in `Int`, `.invalidShape` for a negative dimension.
    public static func elementCount(shape: [Int]) throws -> Int {
        try byteCount(shape: shape, itemSize: 1)
    }

    /// `elementCount(shape) * itemSize`.
    /// As NumPy, the product of the non-zero dimensions times `itemSize` must fit in `Int` even when
    /// a zero dimension makes the array empty (`np.empty((2**62, 0), 'f4')` is refused too), so any
    /// product of some of the dimensions — an element count, a stride — fits as well.
    /// Throws `NPYFormatError.sizeOverflow` if any step overflows `Int`, `.invalidShape` for a negative dimension.
    public static func byteCount(shape: [Int], itemSize: Int) throws -> Int {
        precondition(itemSize > 0, "item size must be positive")
        if let negative = shape.first(where: { $0 < 0 }) {
            throw NPYFormatError.invalidShape(found: "\(NPYShapeText.python(shape)) (dimension \(negative))")
        }
        var total = itemSize
        for dimension in shape where dimension != 0 {
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            if overflow {
                throw NPYFormatError.sizeOverflow(shape: NPYShapeText.python(shape), itemSize: itemSize)
            }
            total = product
        }
        // An empty array has no bytes.
        return shape.contains(0) ? 0 : total
    }
}

/// Text forms of a shape.
public enum NPYShapeText {
    /// Python's `repr` of the shape tuple: `()`, `(5,)`, `(2, 3)` — what `np.save` writes.
    public static func python(_ shape: [Int]) -> String {
        switch shape.count {
        case 0: return "()"
        case 1: return "(\(shape[0]),)"
        default: return "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
    }
}
