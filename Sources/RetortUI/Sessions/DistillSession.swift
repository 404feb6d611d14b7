import Workbench

/// The Distill tab's NetDistiller run.
final class DistillSession: RunnerSession {
    let runner: JobRunner<DistillWorkbenchJob>
    var cursor = MessageCursor()
    init(_ runner: JobRunner<DistillWorkbenchJob>) { self.runner = runner }

    /// The Distill tab's default session: MNIST-5k, the tiny CNN at ×0.125 inside a 4× teacher,
    /// the calibrated weighting, lr 0.05, 60 epochs (docs/distill.md §9.5–9.7: over 10 paired
    /// seeds its student ends within 0.9 points of its best at 60 and at 200 epochs; it is 1.6
    /// points above the CNN trained alone at 15 epochs and level with it by 200). The digits
    /// MLP 4-4 session it replaces kept its student within 2 points in 14 of 20 seeds at 2000
    /// epochs (§9.0).
    static let defaultOptions = [("method", "full"), ("data", "mnist5k"), ("model", "cnn"), ("student-width", "0.125"),
                                 ("teacher-width", "4"), ("lr", "0.05"), ("epochs", "60")]

    /// Starts (paused) the Distill tab's default run, without a run folder until it first
    /// steps (a tab opened and left unstarted leaves nothing on disk).
    static func open(dataDirectory: String, runRoot: String) throws -> DistillSession {
        let job = try DistillWorkbenchJob.prepare(options: defaultOptions, dataDirectory: dataDirectory, runRoot: runRoot)
        let r = JobRunner(job: job, startPaused: true)
        r.start()
        return DistillSession(r)
    }
    static let openMessage = "NetDistiller [R] on MNIST-5k (tiny CNN ×0.125 student in a 4× teacher, calibrated KD, 60 epochs): space starts; ←→ change surgery, T, λ … live"

    static let keys = KeyHelp.runKeys
    var tab: Tab { .distill }

    var activeRunFolders: [String] { [runner.snapshot.runFolder].filter { !$0.isEmpty } }

    func finish() -> [String] {
        let checkpoint = runner.afterDone { $0.checkpointOnQuit() }
        let s = runner.snapshot
        return [quitSummary("distill", finished: s.state == .finished, completedEpochs: s.epoch, totalEpochs: s.totalEpochs,
                            step: s.step, runFolder: s.runFolder), checkpoint]
    }
}
