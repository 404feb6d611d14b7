import Workbench

/// The Distill tab's NetDistiller run.
final class DistillSession: RunnerSession {
    let runner: JobRunner<DistillWorkbenchJob>
    var cursor = MessageCursor()
    init(_ runner: JobRunner<DistillWorkbenchJob>) { self.runner = runner }

    /// Starts (paused) the Distill tab's default run, without a run folder until it first
    /// steps (a tab opened and left unstarted leaves nothing on disk): digits, an MLP student in a 4× teacher.
    static func open(dataDirectory: String, runRoot: String) throws -> DistillSession {
        let job = try DistillWorkbenchJob.prepare(options: [("method", "full"), ("data", "digits"), ("model", "mlp"), ("epochs", "2000")],
                                                 dataDirectory: dataDirectory, runRoot: runRoot)
        let r = JobRunner(job: job, startPaused: true)
        r.start()
        return DistillSession(r)
    }
    static let openMessage = "NetDistiller [R] on digits (MLP 4-4 student in a 4× teacher, calibrated KD): space starts; ←→ change surgery, T, λ … live"

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
