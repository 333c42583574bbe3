/// An explicit noise shape as given by `--noise-shape`: one entry per axis, `nil` for `None`
/// (take the array's dimension) or an integer that must be 1 or the array's dimension.
public struct NoiseSpec: Sendable, Hashable, CustomStringConvertible {
    /// One entry per axis; `nil` means `None`.
    public var entries: [Int?]

    /// Wraps already parsed entries; they are checked only by `resolve(against:)`.
    public init(entries: [Int?]) {
        self.entries = entries
    }

    /// Parses `None,1,None`, also `(None, 1, None)`, `[None, 1]`, `(5,)` and `()`: entries are
    /// `None` (also `none`, or JSON's `null`) or non-negative decimal integers separated by commas,
    /// spaces ignored, one trailing comma allowed. Throws `DropoutError.badNoiseSpec` naming the text otherwise.
    public init(parsing text: String) throws(DropoutError) {
        var body = Substring(text).trimmingSpaces()
        if let first = body.first, let last = body.last, body.count >= 2,
            (first == "(" && last == ")") || (first == "[" && last == "]")
        {
            body = body.dropFirst().dropLast().trimmingSpaces()
        }
        if body.isEmpty {
            self.entries = []
            return
        }
        var pieces = body.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
        if pieces.count > 1 && pieces.last?.isEmpty == true {
            pieces.removeLast()
        }
        var entries: [Int?] = []
        for (axis, piece) in pieces.enumerated() {
            if piece == "None" || piece == "none" || piece == "null" {
                entries.append(nil)
            } else if !piece.isEmpty, piece.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(piece) {
                entries.append(value)
            } else {
                let found = piece.isEmpty ? "nothing" : "'\(piece)'"
                throw .badNoiseSpec(text: text, reason: "entry \(axis) must be None or an integer >= 0, found \(found)")
            }
        }
        self.entries = entries
    }

    /// The concrete noise dims for an array of `shape`: `None` becomes the dimension, 1 and the
    /// dimension itself are kept. Throws `noiseRankMismatch` or `noiseEntryMismatch` otherwise.
    public func resolve(against shape: [Int]) throws(DropoutError) -> [Int] {
        guard entries.count == shape.count else {
            throw .noiseRankMismatch(spec: self, shape: shape)
        }
        var dims: [Int] = []
        dims.reserveCapacity(shape.count)
        for (axis, entry) in entries.enumerated() {
            let dim = shape[axis]
            guard let value = entry else {
                dims.append(dim)
                continue
            }
            guard value == 1 || value == dim else {
                throw .noiseEntryMismatch(spec: self, shape: shape, axis: axis)
            }
            dims.append(value)
        }
        return dims
    }

    /// The spec in command-line form, e.g. `None,1,None` (empty for rank 0).
    public var description: String {
        entries.map { $0.map(String.init) ?? "None" }.joined(separator: ",")
    }
}

extension Substring {
    /// This text without leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> Substring {
        var text = self
        while let c = text.first, c == " " || c == "\t" { text = text.dropFirst() }
        while let c = text.last, c == " " || c == "\t" { text = text.dropLast() }
        return text
    }
}
