import Attention
import Distill
import Foundation
import RunKit
import TrainEngine

/// What `retort resume` needs of an engine's job, whichever engine wrote the run folder.
protocol ResumableJob: RestorableJob {
    var isFinished: Bool { get }
    var totalEpochs: Int { get }
    /// Sets the base lr (`--lr`); returns notes for the user (e.g. scheduled changes it replaced).
    func setLR(_ text: String) throws -> [String]
}

extension TrainingJob: ResumableJob {
    var totalEpochs: Int { config.epochs }
    func setLR(_ text: String) throws -> [String] { try set("lr", to: text); return [] }
}

extension DistillJob: ResumableJob {
    var totalEpochs: Int { config.epochs }
    func setLR(_ text: String) throws -> [String] {
        try replaceLR(text).map { "--lr \(text) replaces the scheduled change --set-at \($0.step):lr=\($0.value)" }
    }
}

extension AttentionJob: ResumableJob {
    var totalEpochs: Int { config.epochs }
    func setLR(_ text: String) throws -> [String] { _ = try set("lr", to: text); return [] }
}
