import Foundation
import RetortCore
import RunKit
import RetortModels
import TrainEngine

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

extension DistillJob {
    /// Evaluates the student on the held-out rows (evaluation mode, the student's width) and,
    /// when it beats the kept one (or none is kept yet), keeps a copy of its slice. Returns
    /// the held-out accuracy and loss.
    func keepStudentIfBest(testAccuracy: Float, trainAccuracy: Float) -> (accuracy: Double, loss: Double) {
        let r = evaluate(rows: calibrationRows, width: net.student)
        if kept.map({ $0.isBeaten(accuracy: r.accuracy, loss: r.loss) }) ?? (r.accuracy.isFinite && r.loss.isFinite) {
            kept = KeptStudent(epoch: epoch, heldOutAccuracy: r.accuracy, heldOutLoss: r.loss,
                               testAccuracy: Double(testAccuracy), trainAccuracy: Double(trainAccuracy))
            keptTensors = net.studentTensors()
        }
        return r
    }

    /// Mean cross-entropy and accuracy of training rows `rows` in evaluation mode at `width`
    /// (leaves the model at that width).
    func evaluate(rows: [Int], width: WidthChoice) -> (accuracy: Double, loss: Double) {
        model.setWidth(width)
        var loss = 0.0, correct = 0.0
        var i = 0
        while i < rows.count {
            let j = min(rows.count, i + evaluationBatchSize)
            let (x, y) = data.train.batch(rows[i..<j], sampleShape: model.inputShape)
            let z = model.forward(x, training: false)
            loss += Double(crossEntropy(logits: z, labels: y).loss) * Double(y.count)
            correct += Double(accuracy(logits: z, labels: y)) * Double(y.count)
            i = j
        }
        let n = Double(max(1, rows.count))
        return (correct / n, loss / n)
    }
}
