import Workbench

/// The Training tab's run.
final class TrainingSession: RunnerSession {
    let runner: JobRunner<TrainingWorkbenchJob>
    var cursor = MessageCursor()
    init(_ runner: JobRunner<TrainingWorkbenchJob>) { self.runner = runner }

    static let keys = KeyHelp.runKeys
    var tab: Tab { .training }

    var activeRunFolders: [String] { [runner.snapshot.runFolder] }

    func finish() -> [String] {
        let checkpoint = runner.afterDone { $0.checkpointOnQuit() }
        let s = runner.snapshot
        return [quitSummary(nil, finished: s.state == .finished, completedEpochs: s.epoch, totalEpochs: s.totalEpochs,
                            step: s.step, runFolder: s.runFolder), checkpoint]
    }
}
