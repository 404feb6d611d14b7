import Foundation
import RunKit

/// Everything in a training checkpoint that is not a tensor (stored as JSON in the file's
/// header): with the tensors it continues a run exactly where it was.
public struct TrainingState: Codable, Sendable {
    public var config: TrainConfig
    public var modelName: String
    /// The live hyperparameters (changed ones included).
    public var hyper: Hyperparameters
    public var step: Int
    /// Epochs completed; `cursor` rows of the current epoch's `order` are done.
    public var epoch: Int
    public var cursor: Int
    public var order: [Int]
    /// Samples trained on so far: the schedule's position.
    public var samplesSeen: Int
    /// The data-order and augmentation generator (four 64-bit words in hex).
    public var rng: [String]
    /// Running sums of the epoch in progress (for its train loss and accuracy).
    public var epochLoss: Double
    public var epochCorrect: Double
    public var epochSamples: Int
    public var trainSeconds: Double
    /// AdamW's step count t (0 for SGD).
    public var optimizerSteps: Int
    /// Bytes of each metrics file at the checkpoint (see `MetricsLog.rewind`).
    public var metrics: [String: UInt64]
    public var saved: String

    enum CodingKeys: String, CodingKey {
        case config, modelName = "model_name", hyper, step, epoch, cursor, order, samplesSeen = "samples_seen", rng
        case epochLoss = "epoch_loss", epochCorrect = "epoch_correct", epochSamples = "epoch_samples"
        case trainSeconds = "train_seconds", optimizerSteps = "optimizer_steps", metrics, saved
    }

    func encoded() throws -> Data {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
        return try e.encode(self)
    }
}
