/// The version of npdrop, in one place: `npdrop --version` prints it and every manifest record
/// carries it (`npdrop_version`).
public enum NPDropVersion {
    public static let current = "0.1.0"
}
