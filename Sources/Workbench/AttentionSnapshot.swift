import RunKit

/// A setting change made between steps (it applies from step `step + 1` of run `run` on).
public struct AttentionSettingChange: Sendable, Equatable {
    /// 1-based index of the run that was training (0: before the first run started).
    public let run: Int
    public let step: Int
    public let name: String
    public let from: String
    public let to: String

    public init(run: Int = 0, step: Int = 0, name: String = "", from: String = "", to: String = "") {
        self.run = run; self.step = step; self.name = name; self.from = from; self.to = to
    }
}

/// One run of the queue: finished, running or waiting.
public struct AttentionRunView: Sendable, Equatable {
    public enum Status: String, Sendable { case queued, running, finished, diverged }
    /// 1-based position in the queue.
    public let index: Int
    public let kind: String
    public let status: Status
    /// The run folder (empty while queued).
    public let runFolder: String
    public let step: Int
    /// Epochs completed.
    public let epoch: Int
    /// Per step, x = this run's step (runs start at 0 so they overlay).
    public let trainLoss: DownsampledSeries
    /// Per epoch, x = this run's step; inference-time attention (Taylor-sparse: low-rank path alone).
    public let testAccuracy: DownsampledSeries
    /// Latest and best test accuracy in [0, 1] (NaN before the first epoch).
    public let lastTestAccuracy: Double
    public let bestTestAccuracy: Double
    /// Taylor-sparse: test accuracy with the sparse path kept at inference (NaN otherwise).
    public let testAccuracyWithSparse: Double

    public init(index: Int = 0, kind: String = "", status: Status = .queued, runFolder: String = "", step: Int = 0,
                epoch: Int = 0, trainLoss: DownsampledSeries = DownsampledSeries(name: "train loss", capacity: 256),
                testAccuracy: DownsampledSeries = DownsampledSeries(name: "test accuracy", capacity: 256),
                lastTestAccuracy: Double = .nan, bestTestAccuracy: Double = .nan, testAccuracyWithSparse: Double = .nan) {
        self.index = index; self.kind = kind; self.status = status; self.runFolder = runFolder; self.step = step
        self.epoch = epoch; self.trainLoss = trainLoss; self.testAccuracy = testAccuracy
        self.lastTestAccuracy = lastTestAccuracy; self.bestTestAccuracy = bestTestAccuracy
        self.testAccuracyWithSparse = testAccuracyWithSparse
    }
}

/// Taylor-versus-softmax attention measured on the real Q, K, V of a fixed batch of test images.
public struct AttentionDiagnosticsView: Sendable, Equatable {
    /// Run (1-based), its attention, and where in it the activations were taken.
    public let run: Int
    public let kind: String
    public let step: Int
    public let epoch: Int
    public let images: Int
    /// ‖Z_T − Z_S‖/‖Z_S‖ per layer, and per layer × head.
    public let layerErrors: [Double]
    public let headErrors: [[Double]]
    /// Centred logits q_i·k̂_j/√d of all layers in equal bins over [lower, upper), with the
    /// counts below and at/above the range.
    public let centredCounts: [Double]
    public let lower: Double
    public let upper: Double
    public let below: Int
    public let above: Int
    /// Share of centred (and raw) logits outside [−1, 1), over all layers.
    public let centredShareOutside: Double
    public let rawShareOutside: Double
    /// Share of Taylor weights (1 + x_ij)/Σ_j(1 + x_ij) below zero, over all layers and per layer.
    public let negativeWeightShare: Double
    public let layerNegativeShares: [Double]

    public init(run: Int = 0, kind: String = "", step: Int = 0, epoch: Int = 0, images: Int = 0, layerErrors: [Double] = [],
                headErrors: [[Double]] = [], centredCounts: [Double] = [], lower: Double = .nan, upper: Double = .nan,
                below: Int = 0, above: Int = 0, centredShareOutside: Double = .nan, rawShareOutside: Double = .nan,
                negativeWeightShare: Double = .nan, layerNegativeShares: [Double] = []) {
        self.run = run; self.kind = kind; self.step = step; self.epoch = epoch; self.images = images
        self.layerErrors = layerErrors; self.headErrors = headErrors; self.centredCounts = centredCounts; self.lower = lower
        self.upper = upper; self.below = below; self.above = above; self.centredShareOutside = centredShareOutside
        self.rawShareOutside = rawShareOutside; self.negativeWeightShare = negativeWeightShare
        self.layerNegativeShares = layerNegativeShares
    }
}

/// One row of the op table: a count per layer and image for softmax and Taylor attention.
public struct AttentionOpRow: Sendable, Equatable {
    public let name: String
    public let softmax: Int
    public let taylor: Int

    public init(name: String = "", softmax: Int = 0, taylor: Int = 0) {
        self.name = name; self.softmax = softmax; self.taylor = taylor
    }
}

/// Forward time of one attention pass (all heads, one image) at `tokens`, in milliseconds.
public struct AttentionScalingPoint: Sendable, Equatable {
    public let tokens: Int
    public let softmaxMs: Double
    public let taylorMs: Double

    public init(tokens: Int = 0, softmaxMs: Double = .nan, taylorMs: Double = .nan) {
        self.tokens = tokens; self.softmaxMs = softmaxMs; self.taylorMs = taylorMs
    }
}

/// Immutable view of the Attention engine's queue of ViT runs, published by the worker thread.
public struct AttentionSnapshot: Sendable {
    // identity
    public var modelName: String = ""
    /// e.g. "vit-digits: 8²×1, patch 2 → 16+1 tokens, width 64, 4 heads (d = 16), 4 layers, MLP ×4"
    public var modelDescription: String = ""
    public var parameterCount: Int = 0
    public var tokens: Int = 0
    public var heads: Int = 0
    public var headDim: Int = 0
    public var layers: Int = 0
    public var dataName: String = ""
    public var trainCount: Int = 0
    public var testCount: Int = 0
    public var seed: UInt64 = 1

    // progress
    public var state: JobState = .starting
    /// Every run in queue order; `currentRun` is the 1-based index of the one training (or
    /// the next to start; `runs.count + 1` once all finished).
    public var runs: [AttentionRunView] = []
    public var currentRun: Int = 0
    public var kind: String = ""
    /// Epochs completed in the current run, of `totalEpochs`.
    public var epoch: Int = 0
    public var totalEpochs: Int = 0
    public var step: Int = 0
    public var stepsPerEpoch: Int = 0
    public var samplesPerSecond: Double = .nan
    public var elapsed: Double = .nan
    /// The learning rate of the last step (after the schedule) and the base rate it scales.
    public var lr: Double = .nan
    public var baseLR: Double = .nan
    public var sparseThreshold: Double = .nan
    /// Mean kept fraction of the sparse mask in the last step (NaN without the sparse path).
    public var maskDensity: Double = .nan
    /// Runs (1-based) ruined without going NaN (loss > 1e3, or test accuracy at chance
    /// after an epoch), with what was seen.
    public var ruined: [Int: String] = [:]

    // diagnostics (nil until the first measurement)
    public var diagnostics: AttentionDiagnosticsView? = nil
    public var diagnosticImages: Int = 0

    // costs
    /// Per layer and image, for the current model: MACs, multiplications, exps, divisions,
    /// additions, compares, storage words (vitality §1.5; `OpFormulas`).
    public var opRows: [AttentionOpRow] = []
    /// MACs of one layer's linear parts (QKV, projection, MLP) per image.
    public var linearMACs: Int = 0
    /// Forward ms of softmax and Taylor over token counts at this model's d and heads
    /// (empty until measured at the first step), and the first n where Taylor is faster.
    public var scaling: [AttentionScalingPoint] = []
    public var crossover: Int? = nil

    // settings
    public var settings: [SettingRow] = []
    public var changes: [AttentionSettingChange] = []
    public var messages: [JobMessage] = []
    /// Set while the running run is diverged: what happened and how to roll back.
    public var diverged: String? = nil
    public var blas: String = ""

    /// Empty values (NaN numbers, no runs): the job and screen tests fill it field by field.
    public init() {}
}

