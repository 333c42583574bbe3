import BatchRunner
import Testing

@Suite struct GlobPatternTests {
    static let cases: [(pattern: String, path: String, matches: Bool)] = [
        ("*.npy", "x.npy", true),
        ("*.npy", "a/x.npy", false),
        ("**/*.npy", "x.npy", true),
        ("**/*.npy", "a/b/x.npy", true),
        ("**/*.npy", "a/b/x.npz", false),
        ("images/**", "images/a/b.npz", true),
        ("images/**", "images", false),
        ("images/**/x.npy", "images/x.npy", true),
        ("images/**/x.npy", "images/p/q/x.npy", true),
        ("images/**/x.npy", "imagesx.npy", false),
        ("a?c.npy", "abc.npy", true),
        ("a?c.npy", "a/c.npy", false),
        ("[ab]*.npy", "b1.npy", true),
        ("[ab]*.npy", "c1.npy", false),
        ("[!ab]*.npy", "c1.npy", true),
        ("[^ab]*.npy", "a1.npy", false),
        ("x[0-9][0-9].npz", "x42.npz", true),
        ("x[0-9][0-9].npz", "x4a.npz", false),
        ("[]]x", "]x", true),
        ("a[/]b", "a/b", false),
        ("\\*.npy", "*.npy", true),
        ("\\*.npy", "a.npy", false),
        ("é*.npy", "été.npy", true),
        ("*", "", true),
        ("", "", true),
        ("", "a", false),
        ("a**b", "a/x/b", true),
        ("*a*a*a*a*a*a*a*b", String(repeating: "a", count: 200), false),
    ]

    @Test(arguments: 0..<cases.count)
    func matchesLikeDocumented(_ index: Int) throws {
        let c = GlobPatternTests.cases[index]
        #expect(try GlobPattern(c.pattern).matches(c.path) == c.matches, "pattern '\(c.pattern)' on '\(c.path)'")
    }

    @Test func unterminatedSetIsAnError() {
        #expect(throws: RunnerError.self) { try GlobPattern("data/[abc.npy") }
        #expect(throws: RunnerError.self) { try GlobPattern("[z-a]") }
    }
}
