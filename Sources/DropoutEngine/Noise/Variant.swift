/// The dropout variants `--variant` selects; the raw value is the command-line spelling.
public enum Variant: String, Sendable, Hashable, CaseIterable {
    /// Element-wise dropout; noise shape = shape of `x`.
    case dropout
    /// Drops whole channels of a sequence (batched rank 3, single sample rank 2).
    case spatial1d
    /// Drops whole channels of an image (batched rank 4, single sample rank 3).
    case spatial2d
    /// Drops whole channels of a volume (batched rank 5, single sample rank 4).
    case spatial3d
    /// SELU alpha dropout; noise shape = shape of `x`.
    case alpha

    /// Number of spatial axes of a spatial variant, nil for the others.
    public var spatialAxes: Int? {
        switch self {
        case .spatial1d: return 1
        case .spatial2d: return 2
        case .spatial3d: return 3
        case .dropout, .alpha: return nil
        }
    }
}

/// Where the channel axis is, as Keras's `data_format`; the raw value is the command-line spelling.
public enum DataFormat: String, Sendable, Hashable, CaseIterable {
    /// Channels on the last axis (the default).
    case channelsLast = "channels_last"
    /// Channels right after the samples axis.
    case channelsFirst = "channels_first"
}
