import Workbench

/// The Distill tab's NetDistiller run.
final class DistillSession: RunnerSession {
    let runner: JobRunner<DistillWorkbenchJob>
    var cursor = MessageCursor()
    init(_ runner: JobRunner<DistillWorkbenchJob>) { self.runner = runner }

    /// The Distill tab's default session: digits, an MLP 4-4 student in a 4× teacher, the
    /// calibrated weighting, 2000 epochs, weight decay 2e-3 and batch 64. Over 10 + 10 seeds its
    /// student ends within 2 points of its best far more often than with the 40-epoch recipe's
    /// wd 5e-4 and batch 32 (docs/distill.md §9.0).
    static let defaultOptions = [("method", "full"), ("data", "digits"), ("model", "mlp"), ("epochs", "2000"),
                                 ("weight-decay", "0.002"), ("batch-size", "64")]

    /// Starts (paused) the Distill tab's default run, without a run folder until it first
    /// steps (a tab opened and left unstarted leaves nothing on disk).
    static func open(dataDirectory: String, runRoot: String) throws -> DistillSession {
        let job = try DistillWorkbenchJob.prepare(options: defaultOptions, dataDirectory: dataDirectory, runRoot: runRoot)
        let r = JobRunner(job: job, startPaused: true)
        r.start()
        return DistillSession(r)
    }
    static let openMessage = "NetDistiller [R] on digits (MLP 4-4 student in a 4× teacher, calibrated KD, 2000 epochs): space starts; ←→ change surgery, T, λ … live"

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
