import DropoutFiles

/// A one-line message for `error` and the npz member it names, if any.
func failureDescription(_ error: any Error) -> (member: String?, message: String) {
    let text = String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    return ((error as? MemberAttributedError)?.memberName, text)
}
