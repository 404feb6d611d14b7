import Attention
import Distill
import Foundation
import RunKit
import TrainEngine

/// What `retort resume` needs of an engine's job, whichever engine wrote the run folder.
protocol ResumableJob: CheckpointedJob {
    static func resume(runFolder: URL, dataDirectory: String, threads: Int?) throws -> (job: Self, notes: [String])
    var isFinished: Bool { get }
    var totalEpochs: Int { get }
    /// The base learning rate (before the schedule).
    var baseLR: Float { get }
    /// Sets the base lr (`--lr`); returns notes for the user (e.g. scheduled changes it replaced).
    func setLR(_ text: String) throws -> [String]
}

extension TrainingJob: ResumableJob {
    var totalEpochs: Int { config.epochs }
    var baseLR: Float { hyper.lr }
    func setLR(_ text: String) throws -> [String] { try set("lr", to: text); return [] }
}

extension DistillJob: ResumableJob {
    var totalEpochs: Int { config.epochs }
    var baseLR: Float { settings.lr }
    func setLR(_ text: String) throws -> [String] {
        try replaceLR(text).map { "--lr \(text) replaces the scheduled change --set-at \($0.step):lr=\($0.value)" }
    }
}

extension AttentionJob: ResumableJob {
    var totalEpochs: Int { config.epochs }
    var baseLR: Float { hyper.lr }
    func setLR(_ text: String) throws -> [String] { _ = try set("lr", to: text); return [] }
}
