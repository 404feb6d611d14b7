import RunKit
import TrainEngine

/// A hyperparameter change that took effect at `step`.
public struct HyperChange: Sendable, Equatable {
    public let step: Int
    public let name: String
    public let from: Double
    public let to: Double
}

/// Immutable view of a plain training run, published by the worker thread.
public struct TrainingSnapshot: Sendable {
    public var runName: String
    public var runFolder: String
    public var modelName: String
    public var parameterCount: Int
    public var dataName: String
    public var trainCount: Int
    public var testCount: Int
    public var state: JobState
    public var epoch: Int
    public var totalEpochs: Int
    public var step: Int
    public var stepsPerEpoch: Int
    public var samplesPerSecond: Double
    public var elapsed: Double
    public var lr: Double
    public var stepLoss: DownsampledSeries
    public var trainLoss: DownsampledSeries
    public var testLoss: DownsampledSeries
    public var trainAccuracy: DownsampledSeries
    public var testAccuracy: DownsampledSeries
    public var hyper: [SettingRow]
    public var changes: [HyperChange]
    public var messages: [JobMessage]
    /// Set while the run is diverged: what happened and how to roll back.
    public var diverged: String? = nil
    /// The newest checkpoint of this run.
    public var lastCheckpoint: String? = nil
    public var blas: String
    /// The gradient norm per step (the divergence guard's measure) and the lr each step used.
    public var gradientNorm = DownsampledSeries(name: "gradient norm")
    public var lrCurve = DownsampledSeries(name: "lr")
    /// Seconds left at the recent pace (nil until a step has been timed, or when finished).
    public var eta: Double? = nil
}
