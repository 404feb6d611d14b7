import Foundation
import RunKit
import TrainEngine

/// What a workbench job leaves when the TUI quits: its newest checkpoint when that is at
/// the current step, else a new one. One line either way, printed after the terminal is restored.
func quitCheckpoint(last: (url: URL, step: Int)?, step: Int, save: () throws -> CheckpointInfo) -> String {
    if let last, last.step == step { return "checkpoint \(last.url.path)" }
    do { return "checkpoint \(try save().path)" } catch { return "checkpoint not written: \(error)" }
}

extension TrainingWorkbenchJob {
    /// The checkpoint of where the run stopped (see `quitCheckpoint`); call once the runner is done.
    public func checkpointOnQuit() -> String {
        quitCheckpoint(last: job.lastCheckpoint, step: job.step) { try job.saveCheckpoint() }
    }
}

extension DistillWorkbenchJob {
    /// The checkpoint of where the run stopped (see `quitCheckpoint`); call once the runner is
    /// done. A prepared run that never started has no folder and gets none.
    public func checkpointOnQuit() -> String {
        guard hasRunFolder else { return "no checkpoint: the run never started, so it has no run folder" }
        return quitCheckpoint(last: job.lastCheckpoint, step: job.step) { try job.saveCheckpoint() }
    }
}

/// The line a TUI session prints for its run when it quits, with "epoch" as everywhere in
/// Retort: the epochs completed (see `EpochCount`).
public func quitSummary(_ engine: String?, finished: Bool, completedEpochs: Int, totalEpochs: Int, step: Int, runFolder: String) -> String {
    let what = (engine.map { $0 + " " } ?? "") + (finished ? "finished" : "stopped")
    guard !runFolder.isEmpty else { return what + " before its first step; no run folder" }
    return "\(what) at step \(step), \(EpochCount.text(completed: completedEpochs, total: totalEpochs)); run folder \(runFolder)"
}
