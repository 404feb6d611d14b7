import RetortCore
import RetortData

/// Mean cross-entropy loss and accuracy of a classifier over a whole split, in batches of
/// `batchSize` in split order (evaluation mode is the caller's `forward`). The three
/// engines' `evaluate` methods share it. An empty split gives (0, 0).
public func evaluateClassifier(_ set: ImageData, sampleShape: [Int], batchSize: Int = 250,
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
