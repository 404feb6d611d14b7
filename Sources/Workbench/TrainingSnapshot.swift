import RunKit
import TrainEngine

/// One hyperparameter as the UI shows it.
public struct HyperField: Sendable, Equatable {
    public let name: String
    public let value: Double
    public let range: String
    public let help: String
    public let logScale: Bool
    public let integer: Bool
    public init(name: String, value: Double, range: String, help: String, logScale: Bool, integer: Bool) {
        self.name = name; self.value = value; self.range = range; self.help = help; self.logScale = logScale; self.integer = integer
    }
}

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
    public var hyper: [HyperField]
    public var changes: [HyperChange]
    public var messages: [JobMessage]
    /// Set while the run is diverged: what happened and how to roll back.
    public var diverged: String? = nil
    /// The newest checkpoint of this run.
    public var lastCheckpoint: String? = nil
    public var blas: String
}
