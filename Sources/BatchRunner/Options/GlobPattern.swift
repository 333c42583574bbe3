/// A glob matched against a whole `/`-separated relpath (or an npz member name).
///
/// `?` one character but `/`; `*` any run without `/`; `**/` zero or more whole directories;
/// `**` elsewhere any run including `/`; `[abc]`, `[a-z]`, `[!a-z]` / `[^a-z]` one character
/// (never `/`) in or not in the set; `\x` the character `x` itself. Everything else matches
/// itself. The pattern must match the whole path: `*.npy` matches `x.npy` but not `a/x.npy`;
/// `**/*.npy` matches both.
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    private enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        case one
        case star
        case anyPath
        case directories
        case set(ranges: [ClosedRange<UInt32>], negated: Bool)
    }

    /// The pattern text as written.
    public let pattern: String
    private let tokens: [Token]

    /// Compiles `pattern`; throws `.usage` on an unterminated `[` set.
    public init(_ pattern: String) throws {
        self.pattern = pattern
        let scalars = Array(pattern.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            switch c {
            case "?":
                tokens.append(.one)
                i += 1
            case "*":
                var end = i
                while end < scalars.count && scalars[end] == "*" { end += 1 }  // *** is **
                if end - i == 1 {
                    tokens.append(.star)
                    i = end
                } else if end < scalars.count && scalars[end] == "/" {
                    tokens.append(.directories)
                    i = end + 1
                } else {
                    tokens.append(.anyPath)
                    i = end
                }
            case "[":
                var j = i + 1
                var negated = false
                if j < scalars.count && (scalars[j] == "!" || scalars[j] == "^") {
                    negated = true
                    j += 1
                }
                var ranges: [ClosedRange<UInt32>] = []
                var first = true
                var closed = false
                while j < scalars.count {
                    var low = scalars[j]
                    if low == "]" && !first {
                        closed = true
                        j += 1
                        break
                    }
                    first = false
                    if low == "\\" && j + 1 < scalars.count {
                        j += 1
                        low = scalars[j]
                    }
                    j += 1
                    var high = low
                    if j + 1 < scalars.count && scalars[j] == "-" && scalars[j + 1] != "]" {
                        high = scalars[j + 1]
                        if high == "\\" && j + 2 < scalars.count {
                            high = scalars[j + 2]
                            j += 1
                        }
                        j += 2
                    }
                    guard low.value <= high.value else {
                        throw RunnerError.usage("glob '\(pattern)': range \(low)-\(high) is reversed")
                    }
                    ranges.append(low.value...high.value)
                }
                guard closed else {
                    throw RunnerError.usage("glob '\(pattern)': '[' at character \(i + 1) has no closing ']'")
                }
                tokens.append(.set(ranges: ranges, negated: negated))
                i = j
            case "\\" where i + 1 < scalars.count:
                tokens.append(.literal(scalars[i + 1]))
                i += 2
            default:
                tokens.append(.literal(c))
                i += 1
            }
        }
        self.tokens = tokens
    }

    /// The pattern text.
    public var description: String { pattern }

    /// True when the pattern matches all of `path`. Runs in O(pattern × path) time and memory
    /// O(path); never backtracks exponentially.
    public func matches(_ path: String) -> Bool {
        let s = Array(path.unicodeScalars)
        let n = s.count
        let slash: Unicode.Scalar = "/"
        // next[si]: tokens[ti+1...] match s[si...]; current[si]: tokens[ti...] match s[si...].
        var next = [Bool](repeating: false, count: n + 1)
        next[n] = true
        var current = [Bool](repeating: false, count: n + 1)
        for token in tokens.reversed() {
            switch token {
            case .literal(let c):
                for si in 0...n { current[si] = si < n && s[si] == c && next[si + 1] }
            case .one:
                for si in 0...n { current[si] = si < n && s[si] != slash && next[si + 1] }
            case .set(let ranges, let negated):
                for si in 0...n {
                    guard si < n, s[si] != slash else {
                        current[si] = false
                        continue
                    }
                    let inside = ranges.contains { $0.contains(s[si].value) }
                    current[si] = inside != negated && next[si + 1]
                }
            case .star:
                current[n] = next[n]
                for si in stride(from: n - 1, through: 0, by: -1) {
                    current[si] = next[si] || (s[si] != slash && current[si + 1])
                }
            case .anyPath:
                current[n] = next[n]
                for si in stride(from: n - 1, through: 0, by: -1) {
                    current[si] = next[si] || current[si + 1]
                }
            case .directories:
                // Empty, or any run that ends with '/': tail = some '/' at k >= si with next[k+1].
                var tail = false
                current[n] = next[n]
                for si in stride(from: n - 1, through: 0, by: -1) {
                    tail = tail || (s[si] == slash && next[si + 1])
                    current[si] = next[si] || tail
                }
            }
            swap(&current, &next)
        }
        return next[0]
    }
}
