/// The resolved INPUT and OUT of a run, checked not to overlap.
public struct RunLocations: Sendable, Hashable {
    /// Canonical absolute path of INPUT (a top-level symlink is followed).
    public let input: String
    /// True when INPUT is a directory, false when it is one file.
    public let inputIsDirectory: Bool
    /// Canonical absolute path of OUT.
    public let output: String

    /// Resolves both paths (real paths; OUT may not exist yet) and refuses, with `.usage`:
    /// a missing INPUT, a file INPUT that is not `.npy`/`.npz`, an OUT that exists and is not a
    /// directory, and an OUT equal to, inside, or containing INPUT (outputs, temporaries and
    /// their clean-up must never touch inputs). Creates OUT when `createOutput` is true; a
    /// missing OUT is refused unless `createOutput` or `outputMayBeMissing` (then `output` is the
    /// path OUT will have: see `createOutputDirectory`).
    public static func resolve(
        input: String, output: String, createOutput: Bool,
        outputMayBeMissing: Bool = false
    ) throws -> RunLocations {
        let inputKind = try RunnerFS.entryKind(input, followLinks: true)
        let isDirectory: Bool
        switch inputKind {
        case .missing:
            throw RunnerError.usage("INPUT '\(input)' does not exist")
        case .directory:
            isDirectory = true
        case .regular:
            guard InputWalker.kind(ofName: RelativePath.baseName(input)) != nil else {
                throw RunnerError.usage("INPUT '\(input)' is a file but not .npy or .npz")
            }
            isDirectory = false
        default:
            throw RunnerError.usage("INPUT '\(input)' is neither a directory nor a regular file")
        }
        let realInput = try RunnerFS.realPath(input)
        let plannedOutput = try resolvePossiblyMissing(output)

        func inside(_ path: String, _ root: String) -> Bool {
            path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
        }
        if plannedOutput == realInput {
            throw RunnerError.usage("OUT '\(output)' is INPUT itself; choose an output directory outside INPUT")
        }
        if inside(plannedOutput, realInput) {
            throw RunnerError.usage(
                "OUT '\(output)' is inside INPUT '\(input)'; choose an output directory outside INPUT")
        }
        if inside(realInput, plannedOutput) {
            throw RunnerError.usage(
                "INPUT '\(input)' is inside OUT '\(output)'; choose an output directory that does not contain INPUT")
        }
        switch try RunnerFS.entryKind(plannedOutput, followLinks: true) {
        case .missing:
            if createOutput {
                try createDirectory(plannedOutput)
            } else if outputMayBeMissing {
                return RunLocations(input: realInput, inputIsDirectory: isDirectory, output: plannedOutput)
            } else {
                throw RunnerError.usage("OUT '\(output)' does not exist")
            }
        case .directory:
            break
        default:
            throw RunnerError.usage("OUT '\(output)' exists and is not a directory")
        }
        let realOutput = try RunnerFS.realPath(plannedOutput)
        return RunLocations(input: realInput, inputIsDirectory: isDirectory, output: realOutput)
    }

    /// Creates OUT (and missing parents) when it does not exist yet; throws `.usage` (exit 2).
    public func createOutputDirectory() throws {
        try RunLocations.createDirectory(output)
    }

    private static func createDirectory(_ path: String) throws {
        do {
            try RunnerFS.makeDirectories(path)
        } catch let error as RunnerError {
            throw RunnerError.usage("cannot create OUT: \(error)")
        }
    }

    /// The canonical absolute form of `path`: the longest existing prefix resolved with
    /// `realpath`, the rest normalised lexically (`.` dropped, `..` removes a component).
    static func resolvePossiblyMissing(_ path: String) throws -> String {
        let absolute = path.hasPrefix("/") ? path : RelativePath.join(try RunnerFS.currentDirectory(), path)
        var existing = absolute.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var rest: [String] = []
        while true {
            let candidate = "/" + existing.joined(separator: "/")
            if try RunnerFS.entryKind(candidate, followLinks: true) != .missing {
                var components = try RunnerFS.realPath(candidate).split(separator: "/").map(String.init)
                for component in rest.reversed() {
                    if component == "." { continue }
                    if component == ".." {
                        _ = components.popLast()
                    } else {
                        components.append(component)
                    }
                }
                return "/" + components.joined(separator: "/")
            }
            guard let last = existing.popLast() else { return "/" }
            rest.append(last)
        }
    }
}
