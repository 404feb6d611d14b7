import RetortCore
import RetortData

/// Images per evaluation batch. Small on purpose: every layer keeps its batch's activations
/// until the next forward, so the batch sets the evaluation's resident memory (the tiny CNN
/// on 28×28 MNIST: about 280 MB peak at 250, 130 MB at 50); the results do not depend on it
/// beyond float rounding of the summed loss.
public let evaluationBatchSize = 64

/// Mean cross-entropy loss and accuracy of a classifier over a whole split, in batches of
/// `batchSize` in split order (evaluation mode is the caller's `forward`). The three
/// engines' `evaluate` methods share it. An empty split gives (0, 0).
public func evaluateClassifier(_ set: ImageData, sampleShape: [Int], batchSize: Int = evaluationBatchSize,
                               forward: (Tensor) -> Tensor) -> (loss: Float, accuracy: Float) {
    var loss = 0.0, correct = 0.0
    var i = 0
    let all = Array(0..<set.count)
    while i < set.count {
        let j = min(set.count, i + batchSize)
        let (x, labels) = set.batch(all[i..<j], sampleShape: sampleShape)
        let logits = forward(x)
        let (l, _) = crossEntropy(logits: logits, labels: labels)
        loss += Double(l) * Double(j - i)
        correct += Double(accuracy(logits: logits, labels: labels)) * Double(j - i)
        i = j
    }
    let n = Double(max(1, set.count))
    return (Float(loss / n), Float(correct / n))
}
