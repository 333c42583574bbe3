/// Where an error happened: the file as the user named it, the npz member inside it and, in a
/// run, the augmentation copy. The one place value every layer attaches to its errors (through
/// `FileError`, or as part of its own error value: `LocatedError`); messages render it once.
public struct ErrorLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file as the user named it (`<stdin>`/`<stdout>` for `-`, a relpath in a run).
    public var file: String
    /// The npz entry name, when the error concerns one member.
    public var member: String?
    /// The augmentation copy (0-based) of a run's task; nil outside a run. Not part of the
    /// message: a manifest record names its copy in its own field, and paths below OUT hold it.
    public var copy: Int?

    /// A location; see the properties.
    public init(file: String, member: String? = nil, copy: Int? = nil) {
        self.file = file
        self.member = member
        self.copy = copy
    }

    /// `file`, or `file: member 'name'` for an npz member; file and member names escaped
    /// (`MessageText`), as they may hold any bytes.
    public var description: String {
        let file = MessageText.escaped(self.file)
        guard let member else { return file }
        return file + ": member '" + MessageText.escaped(member) + "'"
    }
}

/// An error whose value knows the npz member it concerns but not the file (e.g. the zip layer's
/// errors): `FileError` keeps that member in its location and renders `reason` after it, so
/// the location is said once, by value, not by editing text.
public protocol LocatedError: Error {
    /// The npz member the error concerns, or nil.
    var member: String? { get }
    /// The message without any location (one line, escaped).
    var reason: String { get }
}
