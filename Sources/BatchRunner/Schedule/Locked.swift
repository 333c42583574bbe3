import DropoutFiles

/// The lock-guarded value the runner shares between workers (defined in DropoutFiles, which
/// the file jobs also use); the name stays visible to the runner's tests.
typealias Locked = DropoutFiles.Locked
