import Foundation

/// Running sums of the epoch in progress — sample-weighted loss and accuracy, samples, time
/// spent in training steps and time spent inside the job's steps (evaluation included): what
/// an epoch summary reports. Time between steps (a paused workbench run, single steps) is
/// no training time and is not counted. `TrainingJob` and `AttentionJob` keep one
/// (checkpointed with the job).
public struct EpochTotals: Sendable {
    public private(set) var loss = 0.0
    public private(set) var correct = 0.0
    public private(set) var samples = 0
    /// Seconds spent in training steps (not evaluation).
    public private(set) var trainSeconds = 0.0
    /// Seconds spent inside the epoch's finished steps (training, logging, evaluation).
    public private(set) var activeSeconds = 0.0

    public init() {}

    /// Totals as a checkpoint recorded them (the time inside steps is taken to be the
    /// training time the checkpoint recorded).
    public init(loss: Double, correct: Double, samples: Int, trainSeconds: Double) {
        self.loss = loss; self.correct = correct; self.samples = samples; self.trainSeconds = trainSeconds
        activeSeconds = trainSeconds
    }

    /// Empties the sums for a new epoch.
    public mutating func reset() { loss = 0; correct = 0; samples = 0; trainSeconds = 0; activeSeconds = 0 }

    /// Adds a step of `samples` samples with mean `loss` and `accuracy`, started at uptime `t0`
    /// (`now` is the uptime at its end).
    public mutating func add(loss stepLoss: Float, accuracy: Float, samples n: Int, since t0: UInt64,
                             now: UInt64 = DispatchTime.now().uptimeNanoseconds) {
        loss += Double(stepLoss) * Double(n)
        correct += Double(accuracy) * Double(n)
        samples += n
        trainSeconds += Self.seconds(from: t0, to: now)
    }

    /// Counts a finished step that began at uptime `start` and ended at `end`.
    public mutating func addActive(from start: UInt64, to end: UInt64) { activeSeconds += Self.seconds(from: start, to: end) }

    /// The epoch's seconds inside steps, with the step in progress (begun at `start`) up to `now`.
    public func epochSeconds(stepStart start: UInt64, now: UInt64) -> Double { activeSeconds + Self.seconds(from: start, to: now) }

    /// Seconds between two uptimes in nanoseconds (0 when `b` is not after `a`).
    public static func seconds(from a: UInt64, to b: UInt64) -> Double { b > a ? Double(b - a) / 1e9 : 0 }

    public var meanLoss: Float { Float(loss / Double(samples)) }
    public var meanAccuracy: Float { Float(correct / Double(samples)) }
    public var samplesPerSecond: Double { Double(samples) / max(trainSeconds, 1e-9) }
}
