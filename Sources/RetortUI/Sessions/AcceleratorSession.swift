import Workbench

/// The Accelerator tab's cycle-level simulation (built the first time its tab opens).
final class AcceleratorSession: RunnerSession {
    let runner: JobRunner<AcceleratorWorkbenchJob>
    var cursor = MessageCursor()
    init(_ runner: JobRunner<AcceleratorWorkbenchJob>) { self.runner = runner }

    static func open() throws -> AcceleratorSession {
        let r = JobRunner(job: try AcceleratorWorkbenchJob(), startPaused: true)
        r.start()
        return AcceleratorSession(r)
    }
    static let openMessage = "DeiT-Tiny attention on the ViTALiTy accelerator: space runs, n steps, g next event, :break q-g@H1"

    static let keys: [(String, String)] = [
        ("space  p", "run / pause the simulation (speed cycles per tick)"),
        ("n  .", "step: advance `step` cycles"),
        ("N", "ten steps"),
        ("g", "go to the next event (a stage starts or ends)"),
        ("G", "go to the end of the simulation"),
        ("t", "switch the attention between Taylor and softmax (re-simulates)"),
        ("Esc  :cancel", "cancel a running re-simulation (a newer setting replaces it too)"),
        ("c", "lower panel: the current layer's Gantt chart → cycles per layer → units (utilisation, mapping, energy)"),
    ] + KeyHelp.settings + [
        (":goto WHERE", "go to CYCLE, next-event, start or end"),
        (":break STAGE", "pause when STAGE[@H<head>][@L<layer>] starts (e.g. q-g@H1); :break clear removes it"),
        (":export FILE", "write the shown simulation's utilisation timeline CSV (as `retort sim vitality --timeline FILE`)"),
    ]
    var tab: Tab { .accelerator }

    /// Running moves `speed` cycles per tick, a single step `step` cycles: the job is told
    /// which before it resumes or steps.
    func send(_ command: JobCommand) {
        switch command {
        case .resume: runner.send(.set(name: "mode", value: "run")); runner.send(.resume)
        case .step: runner.send(.set(name: "mode", value: "step")); runner.send(command)
        default: runner.send(command)
        }
    }

    var activeRunFolders: [String] { [] }

    func finish() -> [String] { runner.waitUntilDone(); return [] }
}
