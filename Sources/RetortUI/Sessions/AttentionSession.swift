import Workbench

/// The Attention tab's queue of ViT runs (softmax, Taylor, Taylor-sparse, same seed).
final class AttentionSession: RunnerSession {
    let runner: JobRunner<AttentionWorkbenchJob>
    var cursor = MessageCursor()
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

    static let keys = KeyHelp.runKeys + [
        (":set kind K", "queue another run of kind K (softmax, taylor, taylor-sparse)"),
        ("x  :remove N", "remove a queued run that has not started (x: the newest one)"),
        (":up N  :down N", "move queued run N one place earlier / later in the queue"),
    ]
    var tab: Tab { .attention }

    var activeRunFolders: [String] { runner.snapshot.runs.filter { $0.status == .running }.map(\.runFolder) }

    func finish() -> [String] { runner.afterDone { $0.checkpointOnQuit() } }
}
