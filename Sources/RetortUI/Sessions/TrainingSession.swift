import Workbench

/// The Training tab's run.
final class TrainingSession: TabSession {
    let runner: JobRunner<TrainingWorkbenchJob>
    private var cursor = MessageCursor()
    init(_ runner: JobRunner<TrainingWorkbenchJob>) { self.runner = runner }

    var tab: Tab { .training }
    var observedFromBehind: Bool { true }

    func controls() -> SessionControls {
        let s = runner.snapshot
        return SessionControls(rows: s.hyper, jobState: s.state, diverged: s.diverged != nil)
    }

    func send(_ command: JobCommand) { runner.send(command) }

    func observe(into frame: inout FrameSnapshots) -> (text: String, error: Bool)? {
        let s = runner.snapshot
        frame.training = s
        guard let m = cursor.next(s.messages), !m.text.isEmpty else { return nil }
        return (m.text, m.level == .error || m.text == s.diverged)
    }

    var activeRunFolders: [String] { [runner.snapshot.runFolder] }

    func stop() { runner.send(.stop) }

    func finish() -> [String] {
        let checkpoint = runner.afterDone { $0.checkpointOnQuit() }
        let s = runner.snapshot
        return [quitSummary(nil, finished: s.state == .finished, completedEpochs: s.epoch, totalEpochs: s.totalEpochs,
                            step: s.step, runFolder: s.runFolder), checkpoint]
    }
}
