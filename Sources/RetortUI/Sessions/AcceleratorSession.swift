import Workbench

/// The Accelerator tab's cycle-level simulation (built the first time its tab opens).
final class AcceleratorSession: TabSession {
    let runner: JobRunner<AcceleratorWorkbenchJob>
    private var cursor = MessageCursor()
    init(_ runner: JobRunner<AcceleratorWorkbenchJob>) { self.runner = runner }

    static func open() throws -> AcceleratorSession {
        let r = JobRunner(job: try AcceleratorWorkbenchJob(), startPaused: true)
        r.start()
        return AcceleratorSession(r)
    }
    static let openMessage = "DeiT-Tiny attention on the ViTALiTy accelerator: space runs, n steps, g next event, :break q-g@H1"

    var tab: Tab { .accelerator }
    var observedFromBehind: Bool { false }

    func controls() -> SessionControls {
        let s = runner.snapshot
        return SessionControls(rows: s.settings, jobState: s.state, diverged: false)
    }

    /// Running moves `speed` cycles per tick, a single step `step` cycles: the job is told
    /// which before it resumes or steps.
    func send(_ command: JobCommand) {
        switch command {
        case .resume: runner.send(.set(name: "mode", value: "run")); runner.send(.resume)
        case .step: runner.send(.set(name: "mode", value: "step")); runner.send(command)
        default: runner.send(command)
        }
    }

    func observe(into frame: inout FrameSnapshots) -> (text: String, error: Bool)? {
        let s = runner.snapshot
        frame.accelerator = s
        return cursor.next(s.messages).map { ($0.text, $0.level == .error) }
    }

    var activeRunFolders: [String] { [] }

    func stop() { runner.send(.stop) }

    func finish() -> [String] { runner.waitUntilDone(); return [] }
}
