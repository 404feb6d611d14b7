import Distill
import RunKit

/// A setting change that took effect from step `step + 1` on (made between steps).
public struct DistillSettingChange: Sendable, Equatable {
    public let step: Int
    public let name: String
    public let from: String
    public let to: String
}

/// Conflict statistics of one parameter tensor (for the per-layer conflict table).
public struct DistillTensorConflicts: Sendable, Equatable {
    public let name: String
    /// Shared (student) elements / all elements of the tensor.
    public let sharedElements: Int
    public let elements: Int
    /// % of the run's teacher steps with cos < τ on this tensor (before surgery).
    public let conflictPercent: Double
    /// % over the last completed epoch (NaN before the first).
    public let lastEpochConflictPercent: Double
    /// Mean cosine over the run and the latest one (before surgery).
    public let meanCosine: Double
    public let latestCosine: Double
}

/// One completed epoch (numbers as in `retort distill`'s table; accuracies in [0, 1], NaN = none).
public struct DistillEpochRow: Sendable, Equatable {
    public let epoch: Int
    public let step: Int
    public let studentTrainAccuracy: Float, studentTestAccuracy: Float
    public let teacherTrainAccuracy: Float, teacherTestAccuracy: Float
    public let meanCosine: Double, meanCosineAfter: Double
    public let conflictFraction: Double, anyTensorConflictFraction: Double
    public let meanEntropy: Double, meanKDWeight: Double
    public let seconds: Double

    public init(_ s: DistillEpochSummary) {
        epoch = s.epoch; step = s.step
        studentTrainAccuracy = s.studentTrainAccuracy; studentTestAccuracy = s.studentTestAccuracy
        teacherTrainAccuracy = s.teacherTrainAccuracy; teacherTestAccuracy = s.teacherTestAccuracy
        meanCosine = s.meanCosine; meanCosineAfter = s.meanCosineAfter
        conflictFraction = s.conflictFraction; anyTensorConflictFraction = s.anyTensorConflictFraction
        meanEntropy = s.meanEntropy; meanKDWeight = s.meanKDWeight; seconds = s.seconds
    }
}

extension DistillEpochRow {
    /// The row of a run's metrics.csv (a resumed run's past epochs); nil without epoch and step.
    public init?(_ t: RunTable, row: Int) {
        func v(_ c: String) -> Double { t.columns.firstIndex(of: c).map { t.rows[row][$0] } ?? .nan }
        guard v("epoch").isFinite, v("step").isFinite else { return nil }
        epoch = Int(v("epoch")); step = Int(v("step"))
        studentTrainAccuracy = Float(v("student_train_acc")); studentTestAccuracy = Float(v("student_test_acc"))
        teacherTrainAccuracy = Float(v("teacher_train_acc")); teacherTestAccuracy = Float(v("teacher_test_acc"))
        meanCosine = v("mean_cos"); meanCosineAfter = v("mean_cos_after")
        conflictFraction = v("conflict_fraction"); anyTensorConflictFraction = v("any_tensor_conflict_fraction")
        meanEntropy = v("mean_entropy"); meanKDWeight = v("mean_kd_weight"); seconds = v("seconds")
    }
}

/// Immutable view of a NetDistiller run, published by the worker thread.
///
/// Everything the method decides that the paper does not confirm is a reconstruction:
/// show `reconstructionNote` with it.
public struct DistillSnapshot: Sendable {
    // identity
    public var runName: String
    public var runFolder: String
    public var modelName: String
    public var parameterCount: Int
    /// Elements the student uses (the shared elements S_sh) out of `parameterCount`.
    public var sharedElements: Int
    public var method: String
    /// e.g. "fixed max-width weight-sharing teacher [R] + KD T=2 λ=1 weights=entropy [R] + surgery asym/whole τ=0 [R]"
    public var methodSummary: String
    /// "[R] reconstruction — …": to be shown wherever the method is named.
    public var reconstructionNote: String
    public var studentWidth: String
    public var teacherWidth: String
    public var dataName: String
    public var trainCount: Int
    public var testCount: Int
    /// Run-level notes of the engine (BatchNorm policy, …).
    public var notes: [String]

    // progress
    public var state: JobState
    public var epoch: Int
    public var totalEpochs: Int
    public var step: Int
    public var stepsPerEpoch: Int
    public var samplesPerSecond: Double
    public var elapsed: Double
    public var lr: Double
    /// λ after the warm-up ramp.
    public var lambda: Double
    public var hasTeacher: Bool

    // curves (x = global step)
    public var studentStepLoss: DownsampledSeries
    public var teacherStepLoss: DownsampledSeries
    public var kdStepLoss: DownsampledSeries
    public var studentTrainAccuracy: DownsampledSeries
    public var studentTestAccuracy: DownsampledSeries
    public var teacherTrainAccuracy: DownsampledSeries
    public var teacherTestAccuracy: DownsampledSeries
    /// Whole-vector cos(g_s, g_t) on the shared elements, before and after surgery.
    public var cosine: DownsampledSeries
    public var cosineAfter: DownsampledSeries
    /// Per epoch: % of steps with a whole-vector conflict / with ≥ 1 conflicting tensor.
    public var conflictPercent: DownsampledSeries
    public var anyTensorConflictPercent: DownsampledSeries
    /// Mean teacher entropy and mean KD weight per step.
    public var teacherEntropy: DownsampledSeries
    public var kdWeight: DownsampledSeries
    public var epochRows: [DistillEpochRow]

    // per tensor
    public var tensorNames: [String]
    /// The latest step's per-tensor cosines, before and after surgery (NaN = undefined).
    public var tensorCosines: [Double]
    public var tensorCosinesAfter: [Double]
    /// Per-tensor conflict table (same order as `tensorNames`).
    public var conflictTable: [DistillTensorConflicts]
    /// Histogram source: per-tensor cosines (before surgery) of the recent steps, oldest first.
    public var recentTensorCosines: [Double]
    /// Histogram source: whole-vector cosines of the recent steps, oldest first.
    public var recentCosines: [Double]
    /// Histogram source: per-sample teacher entropies of the recent steps, in [0, entropyMax].
    public var recentEntropies: [Double]
    /// log C: the largest possible entropy (histogram range).
    public var entropyMax: Double
    /// Mean KD weight and teacher entropy of the latest step.
    public var meanKDWeight: Double
    public var meanEntropy: Double
    /// Run so far: fraction of teacher steps with a whole-vector conflict / ≥ 1 conflicting tensor.
    public var conflictFraction: Double
    public var anyTensorConflictFraction: Double

    // settings
    public var settings: [SettingRow]
    public var changes: [DistillSettingChange]
    public var messages: [JobMessage]
    /// Set while the run is diverged: what happened and how to roll back.
    public var diverged: String? = nil
    public var blas: String
    /// Set while the student's test accuracy is more than `collapse` points below its best.
    public var collapse: String? = nil
    /// The student the run keeps (`keep-student held-out`), one line: its epoch, held-out and
    /// test accuracy (nil: the run keeps its last student, or no epoch has ended).
    public var kept: String? = nil
}
