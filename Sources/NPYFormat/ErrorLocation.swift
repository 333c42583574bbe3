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

/// An error whose value already holds where it happened (e.g. the zip layer's errors, which
/// know their archive and member). `FileError` renders such an error as its own location
/// followed by `reason`, so a higher layer re-names the file by value, not by editing text.
public protocol LocatedError: Error {
    /// Where the error happened, or nil when it concerns no file.
    var location: ErrorLocation? { get }
    /// The message without the location (one line, escaped).
    var reason: String { get }
}
