import Workbench

/// The Attention tab's queue of ViT runs (softmax, Taylor, Taylor-sparse, same seed).
final class AttentionSession: TabSession {
    let runner: JobRunner<AttentionWorkbenchJob>
    private var cursor = MessageCursor()
    init(_ runner: JobRunner<AttentionWorkbenchJob>) { self.runner = runner }

    /// Starts (paused) the queue on `dataSet` (the TUI's --data).
    static func open(dataSet: String, dataDirectory: String, runRoot: String) throws -> AttentionSession {
        let epochs = dataSet == "digits" ? "30" : "10"
        let job = try AttentionWorkbenchJob.create(options: [("data", dataSet), ("epochs", epochs)], dataDirectory: dataDirectory, runRoot: runRoot)
        let r = JobRunner(job: job, startPaused: true)
        r.start()
        return AttentionSession(r)
    }
    static func openMessage(dataSet: String) -> String {
        "ViT on \(dataSet): softmax, then Taylor, then Taylor-sparse, same seed; space starts; :set kind K queues a run"
    }

    var tab: Tab { .attention }
    var observedFromBehind: Bool { false }

    func controls() -> SessionControls {
        let s = runner.snapshot
        return SessionControls(rows: s.settings, jobState: s.state, diverged: s.diverged != nil)
    }

    func send(_ command: JobCommand) { runner.send(command) }

    func observe(into frame: inout FrameSnapshots) -> (text: String, error: Bool)? {
        let s = runner.snapshot
        frame.attention = s
        return cursor.next(s.messages).map { ($0.text, $0.level == .error || $0.text == s.diverged) }
    }

    var activeRunFolders: [String] { runner.snapshot.runs.filter { $0.status == .running }.map(\.runFolder) }

    func stop() { runner.send(.stop) }

    func finish() -> [String] { runner.afterDone { $0.checkpointOnQuit() } }
}
