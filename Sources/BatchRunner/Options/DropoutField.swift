import DropoutEngine

/// A dropout setting that a config rule or the command line can set.
public enum DropoutField: String, Sendable, Hashable, CaseIterable {
    case variant, rate, noiseShape = "noise_shape", dataFormat = "data_format", scale = "no_scale", fill, dtypes
}
