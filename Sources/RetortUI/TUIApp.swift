import Foundation
import Workbench

/// The UI loop: the only thread that touches the terminal. Polls the tab sessions' latest
/// snapshots at a capped frame rate, renders them into a cell grid and lets the backend draw it.
///
/// A session may have no training run (`retort resume DISTILLRUN --tui` opens on the Distill
/// tab with the resumed job): the Training tab then says so and ignores run keys.
public final class TUIApp {
    let backend: any TerminalBackend
    let themeDirectory: String?
    /// One session per tab with an engine: the training run's from the start (if any), the
    /// others built (and started paused) the first time their tab is opened.
    var sessions: [Tab: any TabSession] = [:]
    let dataDirectory: String
    /// The data set of the ViT runs: the TUI's --data (mnist5k → vit-mnist, digits → vit-digits).
    let dataSet: String
    let runRoot: String
    /// The studies folder listed on the Runs tab (nil: none).
    let studiesRoot: String?
    var state = UIState()
    var screen: Screen
    public var frameInterval: Double = 0.05

    /// `runner`: the Training tab's run (nil: none in this session). `distill`/`attention`:
    /// runners already started (a resumed run) for those tabs, else they are built the first
    /// time their tab is opened; `initialTab` is in front at start.
    public init(backend: any TerminalBackend, runner: JobRunner<TrainingWorkbenchJob>?, distill: JobRunner<DistillWorkbenchJob>? = nil,
                attention: JobRunner<AttentionWorkbenchJob>? = nil, initialTab: Tab = .training, themeDirectory: String?,
                dataDirectory: String, runRoot: String, dataSet: String = "mnist5k", initialMessage: (String, Bool)? = nil,
                studiesRoot: String? = nil) {
        self.studiesRoot = studiesRoot
        self.backend = backend
        self.themeDirectory = themeDirectory
        self.dataDirectory = dataDirectory; self.runRoot = runRoot; self.dataSet = dataSet
        if let runner { sessions[.training] = TrainingSession(runner) }
        if let distill { sessions[.distill] = DistillSession(distill) }
        if let attention { sessions[.attention] = AttentionSession(attention) }
        screen = Screen(glyphs: backend.utf8 ? .unicodeSet : .asciiSet, colour: backend.tier != .mono)
        state.themeNames = ThemeLocator.names(in: themeDirectory)
        state.hasTrainingRun = runner != nil
        state.tab = initialTab
        if let m = initialMessage { state.message = (m.0, m.1) }
    }

    /// Uses ASCII glyphs whatever the locale says.
    public func forceASCII() { screen.glyphs = .asciiSet }

    /// The sessions in tab order.
    var ordered: [any TabSession] { Tab.allCases.compactMap { sessions[$0] } }

    /// The session keys and commands go to: the front tab's (none on the Runs tab, or on a
    /// tab whose engine could not be built: keys never drive a job that is not on screen).
    var front: (any TabSession)? { sessions[state.tab] }

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
                let c = front?.controls() ?? SessionControls(rows: [], jobState: .paused, diverged: false)
                let effects = Controller.handle(key, state: &state, panel: c.rows, jobState: c.jobState, diverged: c.diverged, words: c.words)
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
                if sessions[state.tab] == nil { open(state.tab) }
                if state.tab == .runs && tabBefore != .runs { RunsActions.perform(.scan, state: &state, catalog: runCatalog()) }
                dirty = true
                continue   // drain queued keys before drawing
            }
            if dirty || clock() - lastDraw >= frameInterval {
                var frame = FrameSnapshots()
                for s in ordered where s.observedFromBehind || s.tab == state.tab {
                    guard let m = s.observe(into: &frame) else { continue }
                    state.message = m
                    // a refused change: the panel follows the job's snapshot again
                    if m.error { state.perTab[s.tab]?.pending = [:] }
                }
                let (w, h) = backend.size
                backend.draw(screen.render(state, training: frame.training, accelerator: frame.accelerator, distill: frame.distill,
                                           attention: frame.attention, width: w, height: h))
                lastDraw = clock(); dirty = false
            }
        }
    }

    /// Sends a command to the job of the tab in front.
    func route(_ c: JobCommand) {
        if let s = front { s.send(c) }
        else if state.tab == .training { state.message = (Self.noTrainingRun, true) }
        else if state.tab == .runs { state.message = (Controller.runsHasNoJob, true) }
        else { state.message = ("the \(state.tab.title) tab has no job in this session", true) }
    }

    /// Builds and starts (paused) the engine of `tab`, if it has one; says what it is, or why not.
    func open(_ tab: Tab) {
        do {
            switch tab {
            case .training, .runs: return
            case .accelerator:
                sessions[tab] = try AcceleratorSession.open()
                state.message = (AcceleratorSession.openMessage, false)
            case .distill:
                sessions[tab] = try DistillSession.open(dataDirectory: dataDirectory, runRoot: runRoot)
                state.message = (DistillSession.openMessage, false)
            case .attention:
                sessions[tab] = try AttentionSession.open(dataSet: dataSet, dataDirectory: dataDirectory, runRoot: runRoot)
                state.message = (AttentionSession.openMessage(dataSet: dataSet), false)
            }
        } catch {
            state.message = ("\(tab.title.lowercased()): \(error)", true)
        }
    }

    public static let noTrainingRun = "no training run in this session — `retort tui` starts one"

    /// Stops every job of the session and waits for their threads, so none is still running
    /// while the process exits; then leaves a checkpoint of where the training, Distill and
    /// Attention runs stopped (unless the newest is current). Returns the lines to print once
    /// the terminal is restored (where each run stopped, its checkpoint or why none was written).
    public func finish() -> [String] {
        for s in ordered { s.stop() }
        return ordered.flatMap { $0.finish() }.map { "retort: " + $0 }
    }

    /// The run root as a catalog; the runs this process is writing are marked active
    /// (shown as running, never deleted).
    func runCatalog() -> RunCatalog {
        let folders = ordered.flatMap(\.activeRunFolders)
        return RunCatalog(root: runRoot, active: Set(folders.compactMap { RunCatalog.name(of: $0, in: runRoot) }), studiesRoot: studiesRoot)
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
