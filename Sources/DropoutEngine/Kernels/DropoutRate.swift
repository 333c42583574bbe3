/// The one check of a dropout rate, and its one message, used by the engine, the runner, the
/// config file and the command line alike.
public enum DropoutRate {
    /// True when `rate` is a number in [0, 1] (false for NaN).
    public static func isValid(_ rate: Double) -> Bool { rate >= 0 && rate <= 1 }

    /// `rate must be in [0, 1], found 1.5`, with the setting named as the reader knows it
    /// (`--rate` on the command line).
    public static func message(_ rate: Double, name: String = "rate") -> String {
        "\(name) must be in [0, 1], found \(rate)"
    }
}
