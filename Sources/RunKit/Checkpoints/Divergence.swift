import RetortCore

/// A run stopped being finite: the loss, the gradient norm or a weight (or BatchNorm
/// statistic) became NaN or ±Inf at `step`.
public struct Divergence: Sendable, Equatable {
    public let step: Int
    public let epoch: Int
    /// What was not finite, e.g. "loss is nan" or "gradient norm is inf".
    public let what: String
    public let loss: Float
    public let gradientNorm: Double
    /// The base learning rate in force (the one to lower).
    public let lr: Float

    public init(step: Int, epoch: Int, what: String, loss: Float, gradientNorm: Double, lr: Float) {
        self.step = step; self.epoch = epoch; self.what = what; self.loss = loss; self.gradientNorm = gradientNorm; self.lr = lr
    }

    /// The rollback learning rate offered by default: a tenth of the one that diverged.
    public var suggestedLR: Float { lr * 0.1 }

    /// Equal when the same thing went wrong at the same step (NaN losses compare equal).
    public static func == (a: Divergence, b: Divergence) -> Bool {
        a.step == b.step && a.epoch == b.epoch && a.what == b.what && a.lr == b.lr
            && a.loss.bitPattern == b.loss.bitPattern && a.gradientNorm.bitPattern == b.gradientNorm.bitPattern
    }

    /// "NaN", "Inf" or "-Inf" (or the number).
    public static func describe(_ v: Double) -> String { v.isNaN ? "NaN" : v.isInfinite ? (v < 0 ? "-Inf" : "Inf") : "\(v)" }

    /// The `diverged` event in metrics.jsonl.
    public var record: MetricRecord {
        MetricRecord(kind: "event", step: step, epoch: epoch,
                     values: [("loss", Double(loss)), ("grad_norm", gradientNorm), ("lr", Double(lr))],
                     note: what, name: "diverged")
    }
}

/// The outcome of one attempt to write a checkpoint.
public enum CheckpointEvent: Sendable {
    case saved(CheckpointInfo)
    /// One line naming the file or folder and the reason; training goes on unharmed.
    case failed(String)
}

public struct CheckpointInfo: Sendable, Equatable {
    public let path: String
    public let step: Int
    public let bytes: Int
    public let seconds: Double

    public init(path: String, step: Int, bytes: Int, seconds: Double) {
        self.path = path; self.step = step; self.bytes = bytes; self.seconds = seconds
    }
}

/// Formats a learning rate the way a user would type it (0.01, 1e-05).
public func formatLR(_ v: Float) -> String { String(format: "%g", Double(v)) }

extension Divergence {
    /// The guarded update of a step: `backward` only when the loss is finite, `update` only
    /// when the gradient norm (√Σg² over `parameters`) is finite too, then `afterUpdate`
    /// names a weight or statistic that is not finite. Returns the gradient norm (NaN when
    /// not computed) and what was not finite, if anything.
    public static func guardedUpdate(loss: Float, parameters: [Parameter], backward: () -> Void, update: () -> Void,
                                     afterUpdate: () -> String?) -> (gradientNorm: Double, problem: String?) {
        guard loss.isFinite else { return (.nan, "loss is \(describe(Double(loss)))") }
        backward()
        let norm = parameters.reduce(0.0) { $0 + $1.grad.sumOfSquares }.squareRoot()
        guard norm.isFinite else { return (norm, "gradient norm is \(describe(norm))") }
        update()
        return (norm, afterUpdate().map { "\($0) is not finite after the update" })
    }
}
