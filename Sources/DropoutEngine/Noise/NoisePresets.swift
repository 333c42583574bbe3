/// The noise dims for an array of `shape` (contract §3.1): the explicit spec if given (for any
/// variant), else the variant's preset. Spatial presets keep the samples axis (batched input)
/// and the channel axis, and put 1 on every spatial axis; a single sample is one rank lower.
/// Throws `unsupportedRank` naming the shape and accepted ranks, or the spec's resolve errors.
public func noiseDims(
    variant: Variant, dataFormat: DataFormat, explicit: NoiseSpec?, shape: [Int]
)
    throws(DropoutError) -> [Int]
{
    if let explicit {
        return try explicit.resolve(against: shape)
    }
    guard let spatial = variant.spatialAxes else {
        return shape
    }
    let batchedRank = spatial + 2
    guard shape.count == batchedRank || shape.count == batchedRank - 1 else {
        throw .unsupportedRank(variant: variant, shape: shape, acceptedRanks: [batchedRank, batchedRank - 1])
    }
    let batched = shape.count == batchedRank
    let channelAxis = dataFormat == .channelsLast ? shape.count - 1 : (batched ? 1 : 0)
    return shape.indices.map { axis in
        (batched && axis == 0) || axis == channelAxis ? shape[axis] : 1
    }
}
