import RetortCore

/// The learning-rate schedule of the three engines: linear warm-up over `warmupEpochs`, then
/// cosine decay to `minLR` (never above the base rate) at the end of `epochs`, measured in
/// samples so a batch-size change mid-run keeps its shape (see `CosineSchedule`).
public struct LRSchedule: Sendable, Equatable {
    public var baseLR: Float
    public var minLR: Float
    public var warmupEpochs: Float
    public var epochs: Int
    /// Rows of the training split (samples per epoch).
    public var rowsPerEpoch: Int

    public init(baseLR: Float, minLR: Float, warmupEpochs: Float, epochs: Int, rowsPerEpoch: Int) {
        self.baseLR = baseLR; self.minLR = minLR; self.warmupEpochs = warmupEpochs; self.epochs = epochs; self.rowsPerEpoch = rowsPerEpoch
    }

    /// The rate after `samplesSeen` samples.
    public func lr(after samplesSeen: Int) -> Float {
        CosineSchedule(baseLR: baseLR, warmupSteps: Int(Double(warmupEpochs) * Double(rowsPerEpoch)),
                       totalSteps: epochs * rowsPerEpoch, minLR: min(minLR, baseLR)).lr(at: samplesSeen)
    }
}
