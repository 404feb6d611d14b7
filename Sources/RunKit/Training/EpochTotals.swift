import Foundation

/// Running sums of the epoch in progress — sample-weighted loss and accuracy, samples, time
/// spent in training steps — and the wall clock since the last epoch ended: what an epoch
/// summary reports. `TrainingJob` and `AttentionJob` keep one (checkpointed with the job).
public struct EpochTotals: Sendable {
    public private(set) var loss = 0.0
    public private(set) var correct = 0.0
    public private(set) var samples = 0
    /// Seconds spent in training steps (not evaluation).
    public private(set) var trainSeconds = 0.0
    private var clock = DispatchTime.now().uptimeNanoseconds

    public init() {}

    /// Totals as a checkpoint recorded them (the wall clock starts now).
    public init(loss: Double, correct: Double, samples: Int, trainSeconds: Double) {
        self.loss = loss; self.correct = correct; self.samples = samples; self.trainSeconds = trainSeconds
    }

    /// Empties the sums for a new epoch (the wall clock goes on).
    public mutating func reset() { loss = 0; correct = 0; samples = 0; trainSeconds = 0 }

    /// Adds a step of `samples` samples with mean `loss` and `accuracy`, started at uptime `t0`.
    public mutating func add(loss stepLoss: Float, accuracy: Float, samples n: Int, since t0: UInt64) {
        loss += Double(stepLoss) * Double(n)
        correct += Double(accuracy) * Double(n)
        samples += n
        trainSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    public var meanLoss: Float { Float(loss / Double(samples)) }
    public var meanAccuracy: Float { Float(correct / Double(samples)) }
    public var samplesPerSecond: Double { Double(samples) / max(trainSeconds, 1e-9) }
    /// Wall seconds since the last `restartClock` (or since these totals were made).
    public var wallSeconds: Double { Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9 }
    public mutating func restartClock() { clock = DispatchTime.now().uptimeNanoseconds }
}
