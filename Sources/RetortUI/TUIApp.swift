import Foundation
import Workbench

/// The UI loop: the only thread that touches curses. Polls the jobs' latest snapshots at
/// a capped frame rate, renders them into a cell grid and lets the backend draw it.
///
/// A session may have no training run (`retort resume DISTILLRUN --tui` opens on the Distill
/// tab with the resumed job): the Training tab then says so and ignores run keys.
public final class TUIApp {
    let backend: CursesBackend
    /// The Training tab's run (nil: none in this session).
    let runner: JobRunner<TrainingWorkbenchJob>?
    let themeDirectory: String?
    /// The accelerator simulation, built the first time its tab is opened.
    var accelerator: JobRunner<AcceleratorWorkbenchJob>?
    /// The NetDistiller run, started (paused) the first time its tab is opened.
    var distill: JobRunner<DistillWorkbenchJob>?
    /// The queue of ViT runs (softmax, Taylor, Taylor-sparse), started (paused) the first time its tab is opened.
    var attention: JobRunner<AttentionWorkbenchJob>?
    let dataDirectory: String
    /// The data set of the ViT runs: the TUI's --data (mnist5k → vit-mnist, digits → vit-digits).
    let dataSet: String
    let runRoot: String
    var state = UIState()
    var screen: Screen
    public var frameInterval: Double = 0.05

    /// `distill`/`attention`: runners already started (a resumed run) for those tabs, else
    /// they are built the first time their tab is opened; `initialTab` is in front at start.
    public init(backend: CursesBackend, runner: JobRunner<TrainingWorkbenchJob>?, distill: JobRunner<DistillWorkbenchJob>? = nil,
                attention: JobRunner<AttentionWorkbenchJob>? = nil, initialTab: Tab = .training, themeDirectory: String?,
                dataDirectory: String, runRoot: String, dataSet: String = "mnist5k", initialMessage: (String, Bool)? = nil) {
        self.backend = backend; self.runner = runner; self.distill = distill; self.attention = attention
        self.themeDirectory = themeDirectory
        self.dataDirectory = dataDirectory; self.runRoot = runRoot; self.dataSet = dataSet
        screen = Screen(glyphs: backend.utf8 ? .unicodeSet : .asciiSet, colour: backend.tier != .mono)
        state.themeNames = ThemeLocator.names(in: themeDirectory)
        state.hasTrainingRun = runner != nil
        state.tab = initialTab
        if let m = initialMessage { state.message = (m.0, m.1) }
    }

    /// Uses ASCII glyphs whatever the locale says.
    public func forceASCII() { screen.glyphs = .asciiSet }

    /// Runs until the user quits or a signal arrives; returns the signal number (0 for q).
    public func run() -> Int32 {
        var lastDraw = 0.0
        var dirty = true
        let clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        while true {
            let sig = TerminalGuard.quitSignal.load(ordering: .relaxed)
            if sig != 0 { return sig }
            let wait = max(1, Int32((frameInterval - (clock() - lastDraw)) * 1000))
            if let key = backend.readKey(timeoutMs: dirty ? 1 : wait) {
                if key == .resize { dirty = true; continue }
                if key == .ctrl("l") { dirty = true; continue }
                let tabBefore = state.tab
                let effects: [UIEffect]
                if state.tab == .distill, let dr = distill {
                    let d = dr.snapshot
                    let fields = d.settings
                    effects = Controller.handle(key, state: &state, panel: fields.map(PanelField.init), jobState: d.state,
                                                diverged: d.diverged != nil, validate: { n, v in DistillWorkbenchJob.validate(n, v) })
                } else if state.tab == .attention, let ar = attention {
                    let a = ar.snapshot
                    effects = Controller.handle(key, state: &state, panel: a.settings.map(PanelField.init), jobState: a.state,
                                                diverged: a.diverged != nil, validate: { n, v in AttentionWorkbenchJob.validate(n, v) })
                } else if state.tab == .accelerator, let acc = accelerator {
                    let a = acc.snapshot
                    let fields = a.settings
                    effects = Controller.handle(key, state: &state, panel: fields.map(PanelField.init), jobState: a.state,
                                                validate: { n, v in fields.first { $0.name == n }?.check(v) })
                } else if let snap = runner?.snapshot {
                    effects = Controller.handle(key, state: &state, panel: snap.hyper.map(PanelField.init), jobState: snap.state,
                                                diverged: snap.diverged != nil)
                } else {
                    effects = Controller.handle(key, state: &state, panel: [], jobState: .paused)
                }
                for e in effects {
                    switch e {
                    case .quit: return 0
                    case .command(let c): route(c)
                    case .theme(let name): switchTheme(name)
                    case .runs(let r): RunsActions.perform(r, state: &state, catalog: runCatalog())
                    case .crash:
                        if ProcessInfo.processInfo.environment["RETORT_ALLOW_CRASH"] == "1" { fatalError("crash requested with :__crash") }
                    }
                }
                if state.tab == .accelerator && accelerator == nil { openAccelerator() }
                if state.tab == .distill && distill == nil { openDistill() }
                if state.tab == .attention && attention == nil { openAttention() }
                if state.tab == .runs && tabBefore != .runs { RunsActions.perform(.scan, state: &state, catalog: runCatalog()) }
                dirty = true
                continue   // drain queued keys before drawing
            }
            if dirty || clock() - lastDraw >= frameInterval {
                let snap = runner?.snapshot
                if let snap, snap.messages.count != state.lastJobMessageCount, let m = snap.messages.last {
                    state.lastJobMessageCount = snap.messages.count
                    if !m.text.isEmpty { state.message = (m.text, m.level == .error || m.text == snap.diverged) }
                }
                let (w, h) = backend.size
                let acc = state.tab == .accelerator ? accelerator?.snapshot : nil
                if let acc, acc.messages.count != state.lastAcceleratorMessageCount, let m = acc.messages.last {
                    state.lastAcceleratorMessageCount = acc.messages.count
                    state.message = (m.text, m.level == .error)
                }
                let dst = state.tab == .distill ? distill?.snapshot : nil
                if let dst, dst.messages.count != state.lastDistillMessageCount, let m = dst.messages.last {
                    state.lastDistillMessageCount = dst.messages.count
                    state.message = (m.text, m.level == .error || m.text == dst.diverged)
                }
                let att = state.tab == .attention ? attention?.snapshot : nil
                if let att, att.messages.count != state.lastAttentionMessageCount, let m = att.messages.last {
                    state.lastAttentionMessageCount = att.messages.count
                    state.message = (m.text, m.level == .error || m.text == att.diverged)
                }
                backend.draw(screen.render(state, training: snap, accelerator: acc, distill: dst, attention: att, width: w, height: h))
                lastDraw = clock(); dirty = false
            }
        }
    }

    /// Sends a command to the job of the tab in front.
    func route(_ c: JobCommand) {
        if state.tab == .distill, let d = distill { d.send(c); return }
        if state.tab == .attention, let a = attention { a.send(c); return }
        guard state.tab == .accelerator, let acc = accelerator else {
            if let runner { runner.send(c) } else if state.tab == .training { state.message = (Self.noTrainingRun, true) }
            return
        }
        switch c {
        case .resume: acc.send(.set(name: "mode", value: "run")); acc.send(.resume)
        case .step: acc.send(.set(name: "mode", value: "step")); acc.send(c)
        default: acc.send(c)
        }
    }

    func openAccelerator() {
        do {
            let r = JobRunner(job: try AcceleratorWorkbenchJob(), startPaused: true)
            r.start()
            accelerator = r
            state.message = ("DeiT-Tiny attention on the ViTALiTy accelerator: space runs, n steps, g next event, :break q-g@H1", false)
        } catch {
            state.message = ("accelerator: \(error)", true)
        }
    }

    func openDistill() {
        do {
            let job = try DistillWorkbenchJob.create(options: [("method", "full"), ("data", "digits"), ("model", "mlp"), ("epochs", "2000")],
                                                     dataDirectory: dataDirectory, runRoot: runRoot)
            let r = JobRunner(job: job, startPaused: true)
            r.start()
            distill = r
            state.message = ("NetDistiller on digits (MLP student in a 4× teacher): space starts; ←→ change surgery, T, λ … live", false)
        } catch {
            state.message = ("distill: \(error)", true)
        }
    }

    func openAttention() {
        do {
            let epochs = dataSet == "digits" ? "30" : "10"
            let job = try AttentionWorkbenchJob.create(options: [("data", dataSet), ("epochs", epochs)], dataDirectory: dataDirectory, runRoot: runRoot)
            let r = JobRunner(job: job, startPaused: true)
            r.start()
            attention = r
            state.message = ("ViT on \(dataSet): softmax, then Taylor, then Taylor-sparse, same seed; space starts; :set kind K queues a run", false)
        } catch {
            state.message = ("attention: \(error)", true)
        }
    }

    public static let noTrainingRun = "no training run in this session — `retort tui` starts one"

    /// Stops every job of the session and waits for their threads, so none is still running
    /// while the process exits; then leaves a checkpoint of where the training, Distill and
    /// Attention runs stopped (unless the newest is current). Returns the lines to print once
    /// the terminal is restored (where each run stopped, its checkpoint or why none was written).
    public func finish() -> [String] {
        runner?.send(.stop); accelerator?.send(.stop); distill?.send(.stop); attention?.send(.stop)
        accelerator?.waitUntilDone()
        var lines: [String] = []
        if let r = runner {
            let checkpoint = r.afterDone { $0.checkpointOnQuit() }
            let s = r.snapshot
            lines += ["\(s.state == .finished ? "finished" : "stopped") at epoch \(s.epoch), step \(s.step); run folder \(s.runFolder)", checkpoint]
        }
        if let d = distill {
            let checkpoint = d.afterDone { $0.checkpointOnQuit() }
            let s = d.snapshot
            lines += ["distill \(s.state == .finished ? "finished" : "stopped") at epoch \(s.epoch), step \(s.step); run folder \(s.runFolder)", checkpoint]
        }
        if let a = attention { lines += a.afterDone { $0.checkpointOnQuit() } }
        return lines.map { "retort: " + $0 }
    }

    /// The run root as a catalog; the runs this process is writing are marked active
    /// (shown as running, never deleted).
    func runCatalog() -> RunCatalog {
        var folders = runner.map { [$0.snapshot.runFolder] } ?? []
        if let d = distill { folders.append(d.snapshot.runFolder) }
        if let a = attention { folders += a.snapshot.runs.filter { $0.status == .running }.map(\.runFolder) }
        return RunCatalog(root: runRoot, active: Set(folders.compactMap { RunCatalog.name(of: $0, in: runRoot) }))
    }

    func switchTheme(_ name: String) {
        do {
            let t = try ThemeLocator.load(name, directory: themeDirectory)
            backend.setTheme(t)
            state.message = ("theme \(t.name)", false)
        } catch {
            state.message = ("\(error) — keeping the current theme", true)
        }
    }
}

/// Finds theme files: a path, or NAME → <themes>/NAME.toml.
public enum ThemeLocator {
    public static func names(in dir: String?) -> [String] {
        guard let dir, let files = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return files.filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }.sorted()
    }
    public static func load(_ name: String, directory: String?) throws -> Theme {
        if name.contains("/") || name.hasSuffix(".toml") { return try Theme.load(path: name) }
        guard let dir = directory else { throw Theme.ParseError(file: name, line: 0, key: nil, message: "no themes folder found") }
        let path = dir + "/" + name + ".toml"
        guard FileManager.default.fileExists(atPath: path) else {
            throw Theme.ParseError(file: path, line: 0, key: nil, message: "no such theme (available: \(names(in: dir).joined(separator: ", ")))")
        }
        return try Theme.load(path: path)
    }
}
