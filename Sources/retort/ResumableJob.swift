import Attention
import Distill
import Foundation
import TrainEngine

/// What `retort resume` needs of an engine's job, whichever engine wrote the run folder.
protocol ResumableJob: AnyObject {
    static func resume(runFolder: URL, dataDirectory: String, threads: Int?) throws -> (job: Self, notes: [String])
    var isFinished: Bool { get }
    var step: Int { get }
    var epoch: Int { get }
    var totalEpochs: Int { get }
    /// The base learning rate (before the schedule).
    var baseLR: Float { get }
    var lastCheckpoint: (url: URL, step: Int)? { get }
    func setLR(_ text: String) throws
}

extension TrainingJob: ResumableJob {
    var totalEpochs: Int { config.epochs }
    var baseLR: Float { hyper.lr }
    func setLR(_ text: String) throws { try set("lr", to: text) }
}

extension DistillJob: ResumableJob {
    var totalEpochs: Int { config.epochs }
    var baseLR: Float { settings.lr }
    func setLR(_ text: String) throws { _ = try set("lr", to: text) }
}

extension AttentionJob: ResumableJob {
    var totalEpochs: Int { config.epochs }
    var baseLR: Float { hyper.lr }
    func setLR(_ text: String) throws { _ = try set("lr", to: text) }
}
