import NPDropPlatform
import NPYStream

extension ApplyCommand {
    /// Refuses, naming the user's path (never a temporary), an OUT or MASKFILE whose directory
    /// does not exist, is not a directory, or cannot be written.
    func checkOutputDirectories() throws {
        var named: [(String, String)] = [("OUT", output)]
        if let mask { named.append(("MASKFILE", mask)) }
        for (role, path) in named where path != "-" {
            let directory = path.lastIndex(of: "/").map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
            var info = stat()
            guard stat(directory, &info) == 0 else {
                throw UsageError("\(role) '\(path)': the directory '\(directory)' does not exist")
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw UsageError("\(role) '\(path)': '\(directory)' is not a directory")
            }
            guard access(directory, W_OK) == 0 else {
                throw UsageError(
                    "\(role) '\(path)': cannot write in '\(directory)': \(String(cString: strerror(errno)))")
            }
        }
    }
}
