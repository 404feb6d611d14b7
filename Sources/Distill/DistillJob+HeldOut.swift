import Foundation
import RetortCore
import RetortModels
import RunKit
import TrainEngine

/// The held-out rows at work: the teacher's calibration batches and the student kept with
/// `keep-student held-out`.
extension DistillJob {
    /// Evaluates the student on the held-out rows (evaluation mode, the student's width) and,
    /// when it beats the kept one (or none is kept yet), keeps a copy of its slice. Returns
    /// the held-out accuracy and loss.
    func keepStudentIfBest(testAccuracy: Float, trainAccuracy: Float) -> (accuracy: Double, loss: Double) {
        let r = evaluateHeldOut(width: net.student)
        if kept.map({ $0.isBeaten(accuracy: r.accuracy, loss: r.loss) }) ?? (r.accuracy.isFinite && r.loss.isFinite) {
            kept = KeptStudent(epoch: epoch, heldOutAccuracy: r.accuracy, heldOutLoss: r.loss,
                               testAccuracy: Double(testAccuracy), trainAccuracy: Double(trainAccuracy))
            keptTensors = net.studentTensors()
        }
        return r
    }

    /// Mean cross-entropy and accuracy on the held-out rows in evaluation mode at `width`
    /// (leaves the model at that width).
    func evaluateHeldOut(width: WidthChoice) -> (accuracy: Double, loss: Double) {
        model.setWidth(width)
        var loss = 0.0, correct = 0.0
        forEachHeldOutBatch { z, y in
            loss += Double(crossEntropy(logits: z, labels: y).loss) * Double(y.count)
            correct += Double(accuracy(logits: z, labels: y)) * Double(y.count)
        }
        let n = Double(max(1, calibrationRows.count))
        return (correct / n, loss / n)
    }

    /// The model's evaluation-mode logits and the labels of the held-out rows, a batch at a
    /// time, at the model's current width.
    func forEachHeldOutBatch(_ body: (Tensor, [Int]) -> Void) {
        var i = 0
        while i < calibrationRows.count {
            let j = min(calibrationRows.count, i + evaluationBatchSize)
            let (x, y) = data.train.batch(calibrationRows[i..<j], sampleShape: model.inputShape)
            body(model.forward(x, training: false), y)
            i = j
        }
    }
}
