/// What to do with one array.
public enum ArrayAction: Sendable, Hashable {
    /// Apply dropout with these settings.
    case process(DropoutSettings)
    /// Copy the npz member unchanged (not selected by `--members`); no mask entry.
    case copy
}
