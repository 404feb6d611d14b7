import Foundation

/// The student a run keeps with `keep-student held-out` [R: Retort's choice; the paper does
/// not say which student it reports]: the one of the epoch with the best accuracy on the
/// held-out training rows, which neither network trains on. Its test accuracy is recorded
/// for the reports; the choice never looks at the test split. Accuracies are fractions.
public struct KeptStudent: Codable, Sendable, Equatable {
    /// Completed-epoch count at which it was kept (the CSVs' `epoch` column).
    public var epoch: Int
    public var heldOutAccuracy: Double
    /// Mean cross-entropy on the held-out rows.
    public var heldOutLoss: Double
    public var testAccuracy: Double
    public var trainAccuracy: Double

    public init(epoch: Int, heldOutAccuracy: Double, heldOutLoss: Double, testAccuracy: Double, trainAccuracy: Double) {
        self.epoch = epoch; self.heldOutAccuracy = heldOutAccuracy; self.heldOutLoss = heldOutLoss
        self.testAccuracy = testAccuracy; self.trainAccuracy = trainAccuracy
    }

    /// Whether a new held-out reading replaces this one: a higher accuracy, or the same
    /// accuracy with a lower loss. A non-finite reading never does.
    public func isBeaten(accuracy: Double, loss: Double) -> Bool {
        guard accuracy.isFinite && loss.isFinite else { return false }
        return accuracy > heldOutAccuracy || (accuracy == heldOutAccuracy && loss < heldOutLoss)
    }
}
