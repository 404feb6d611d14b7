import Foundation
import RunKit
import Workbench

/// Turns keys into state changes and effects. Pure: no curses, no threads — unit-tested.
public struct Controller {
    /// Commands that act on the front tab's job (`rollback` says itself which tabs have one).
    static let jobCommands: Set = ["set", "pause", "resume", "run", "step", "save", "w", "goto", "break", "cancel", "export",
                                   "remove", "up", "down"]
    public static let commands = ["set", "pause", "resume", "step", "save", "rollback", "theme", "help", "quit", "log", "goto", "break", "cancel",
                                  "export", "remove", "up", "down", "filter", "sort"]

    /// `panel` is the current tab's editable settings; `validate` returns a reason when a
    /// value is refused (nil = fine; by default the row's own check, i.e. its setting's
    /// definition). `diverged`: the front tab's run (Training, Distill or Attention) has
    /// diverged, so `r` rolls it back instead of resuming.
    ///
    /// `words`: what `:` completes after a command of the front tab (e.g. `break` → stages).
    ///
    /// Values sent but not yet in the snapshot's `panel` (a burst of keys) are stepped from,
    /// not the snapshot's (see `PendingValue`); undo and the cursor belong to the front tab.
    public static func handle(_ key: Key, state s: inout UIState, panel snapshotRows: [SettingRow], jobState: JobState = .running,
                              diverged: Bool = false, words: [String: [String]] = [:],
                              validate: ((String, String) -> String?)? = nil) -> [UIEffect] {
        let hyper = s.reconcile(snapshotRows)
        let validate = validate ?? { name, text in hyper.first { $0.name == name }?.check(text) }
        if s.tab == .runs && s.commandLine == nil && !s.showHelp {
            if let e = runsKey(key, &s) { return e }
            if isRunKey(key) { s.message = (runsHasNoJob, true); return [] }
        }
        if s.commandLine != nil { return commandLineKey(key, &s, hyper: hyper, words: words, validate: validate) }
        if s.editBuffer != nil { return editKey(key, &s, hyper: hyper, validate: validate) }
        if s.showHelp {
            switch key {
            case .char("?"), .escape, .char("q"): s.showHelp = false; s.helpScroll = 0
            case .down, .char("j"): s.helpScroll += 1
            case .up, .char("k"): s.helpScroll = max(0, s.helpScroll - 1)
            case .pageDown, .char(" "): s.helpScroll += 10
            case .pageUp: s.helpScroll = max(0, s.helpScroll - 10)
            case .home: s.helpScroll = 0
            case .end: s.helpScroll = Int.max / 2
            default: break
            }
            return []
        }
        switch key {
        case .char("q"), .ctrl("c"): return [.quit]
        case .char("g") where s.tab == .accelerator: return [.command(.set(name: "goto", value: "next-event"))]
        case .char("G") where s.tab == .accelerator: return [.command(.set(name: "goto", value: "end"))]
        case .escape where s.tab == .accelerator: return [.command(.set(name: "cancel", value: ""))]
        case .char("x") where s.tab == .attention: return [.command(.set(name: "remove", value: "last"))]
        case .char("c") where s.tab == .accelerator:
            s.acceleratorView = s.acceleratorView.next; s.message = ("showing \(s.acceleratorView.title) (c: next)", false)
        case .char("t") where s.tab == .accelerator:
            let cur = hyper.first { $0.name == "attention" }?.value
            return [.command(.set(name: "attention", value: cur == "taylor" ? "softmax" : "taylor"))]
        case .char("?"): s.showHelp = true
        case .char(":"): s.commandLine = ""; s.historyIndex = nil
        case .char(" "), .char("p"): return [togglePause(jobState)]
        case .char("r"): return [.command(diverged && s.tab.keepsCheckpoints ? .rollback(lr: nil) : .resume)]
        case .char("n"), .char("."): return [.command(.step(1))]
        case .char("N"): return [.command(.step(10))]
        case .char("s"): return [.command(.save)]
        case .char("L"): s.logLoss.toggle(); s.message = ("loss axis: \(s.logLoss ? "log" : "linear") scale", false)
        case .char(let c) where ("1"..."5").contains(c): s.tab = Tab(rawValue: Int(String(c))! - 1)!
        case .tab: s.tab = Tab(rawValue: (s.tab.rawValue + 1) % Tab.allCases.count)!
        case .backTab: s.tab = Tab(rawValue: (s.tab.rawValue + Tab.allCases.count - 1) % Tab.allCases.count)!
        case .up, .char("k"): s.selectedField = max(0, min(s.selectedField, hyper.count) - 1)
        case .down, .char("j"): s.selectedField = min(max(0, hyper.count - 1), s.selectedField + 1)
        case .left, .char("h"), .char("-"): return stepField(-1, &s, hyper: hyper, validate: validate)
        case .right, .char("l"), .char("+"), .char("="): return stepField(1, &s, hyper: hyper, validate: validate)
        case .enter, .char("e"): if s.selectedField < hyper.count { s.editBuffer = ""; s.message = nil }
        case .char("u"): return undo(&s, hyper: hyper)
        case .mouseClick(let x, let y): if y == 1, let t = tabAt(x) { s.tab = t }
        case .char("<") where s.tab == .training:
            s.chartCursor = max(0, (s.chartCursor ?? ChartCursor.positions + 1) - 1)
        case .char(">") where s.tab == .training:
            if let c = s.chartCursor { s.chartCursor = c >= ChartCursor.positions ? nil : c + 1 }
        case .char("]"), .wheelUp: s.zoom = min(8, s.zoom + 1); s.message = ("charts: last 1/\(1 << s.zoom) of the run", false)
        case .char("["), .wheelDown: s.zoom = max(0, s.zoom - 1); s.message = (s.zoom == 0 ? "charts: whole run" : "charts: last 1/\(1 << s.zoom) of the run", false)
        default: break
        }
        return []
    }

    /// Pause toggles: the app resolves it against the job's state.
    public static func togglePause(_ state: JobState) -> UIEffect { .command(state == .paused ? .resume : .pause) }

    /// x positions of the tab labels on row 1 (must match `Screen`).
    public static func tabLabels() -> [(Tab, Range<Int>)] {
        var x = 1
        return Tab.allCases.map { t in
            let label = " \(t.rawValue + 1) \(t.title) "
            defer { x += label.count + 1 }
            return (t, x..<(x + label.count))
        }
    }
    static func tabAt(_ x: Int) -> Tab? { tabLabels().first { $0.1.contains(x) }?.0 }

    /// Said when a key or command that drives a job is used on the Runs tab.
    public static let runsHasNoJob = "the Runs tab has no job: run keys act on the tab of their run (1–4)"

    /// Keys that drive the front tab's job or edit its settings.
    static func isRunKey(_ key: Key) -> Bool {
        switch key {
        case .enter, .left, .right: return true
        case .char(let c): return " pr.nNsueghlGt-+=".contains(c)
        default: return false
        }
    }

    static func stepField(_ dir: Int, _ s: inout UIState, hyper: [SettingRow], validate: (String, String) -> String?) -> [UIEffect] {
        guard s.selectedField < hyper.count, let text = hyper[s.selectedField].stepped(dir) else { return [] }
        return apply(hyper[s.selectedField], text: text, &s, validate: validate)
    }

    static func apply(_ f: SettingRow, text: String, _ s: inout UIState, validate: (String, String) -> String?) -> [UIEffect] {
        if let err = validate(f.name, text) {
            s.message = (err, true)
            return []
        }
        if PendingValue.same(text, f.value) { s.message = ("\(f.name) is already \(f.value)", false); return [] }
        s.undo.append((f.name, f.value))
        s.markSent(f, text)
        s.message = ("\(f.name) → \(text) (applies at the next step)", false)
        return [.command(.set(name: f.name, value: text))]
    }

    static func undo(_ s: inout UIState, hyper: [SettingRow]) -> [UIEffect] {
        guard let (name, value) = s.undo.popLast() else { s.message = ("nothing to undo on the \(s.tab.title) tab", true); return [] }
        if let r = hyper.first(where: { $0.name == name }) { s.markSent(r, value) }
        s.message = ("undo: \(name) → \(value)", false)
        return [.command(.set(name: name, value: value))]
    }

    static func editKey(_ key: Key, _ s: inout UIState, hyper: [SettingRow], validate: (String, String) -> String?) -> [UIEffect] {
        switch key {
        case .escape: s.editBuffer = nil; s.message = ("edit cancelled", false)
        case .enter:
            let text = s.editBuffer ?? ""
            guard s.selectedField < hyper.count else { s.editBuffer = nil; return [] }
            let f = hyper[s.selectedField]
            if let err = validate(f.name, text) { s.message = (err, true); return [] }   // stay in edit mode
            s.editBuffer = nil
            return apply(f, text: text, &s, validate: validate)
        case .backspace, .delete: if s.editBuffer?.isEmpty == false { s.editBuffer?.removeLast() }
        case .ctrl("u"): s.editBuffer = ""
        case .char(let c): if s.editBuffer!.count < 24 { s.editBuffer?.append(c) }
        default: break
        }
        return []
    }

    static func commandLineKey(_ key: Key, _ s: inout UIState, hyper: [SettingRow], words: [String: [String]],
                               validate: (String, String) -> String?) -> [UIEffect] {
        s.candidates = []
        switch key {
        case .escape: s.commandLine = nil
        case .backspace, .delete:
            if s.commandLine!.isEmpty { s.commandLine = nil } else { s.commandLine!.removeLast() }
        case .ctrl("u"): s.commandLine = ""
        case .up:
            guard !s.history.isEmpty else { break }
            let i = max(0, (s.historyIndex ?? s.history.count) - 1)
            s.historyIndex = i; s.commandLine = s.history[i]
        case .down:
            guard let i = s.historyIndex else { break }
            if i + 1 < s.history.count { s.historyIndex = i + 1; s.commandLine = s.history[i + 1] } else { s.historyIndex = nil; s.commandLine = "" }
        case .tab: tabComplete(&s, hyper: hyper, words: words); return []
        case .enter:
            let line = s.commandLine!.trimmingCharacters(in: .whitespaces)
            s.commandLine = nil; s.historyIndex = nil
            guard !line.isEmpty else { return [] }
            if s.history.last != line { s.history.append(line) }
            return run(line, &s, hyper: hyper, validate: validate)
        case .char(let c): s.commandLine!.append(c)
        default: break
        }
        return []
    }

    /// Completes the word being typed: a command, then a hyperparameter or theme name.
    public static func complete(_ line: String, hyper: [SettingRow], themes: [String], words: [String: [String]] = [:]) -> String {
        completion(line, hyper: hyper, themes: themes, words: words).line
    }

    /// The word being typed completed as far as the candidates agree, and the candidates
    /// that match it: a command; after `set ` a setting name; after `set NAME ` the words
    /// of a choice setting; after `theme ` a theme; after another command the words the
    /// front tab offers for it (`words`, e.g. `break` → the Accelerator's stage names).
    public static func completion(_ line: String, hyper: [SettingRow], themes: [String],
                                  words extra: [String: [String]] = [:]) -> (line: String, candidates: [String]) {
        let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let candidates: [String]
        if words.count <= 1 { candidates = commands }
        else if words[0] == "set" && words.count == 2 { candidates = hyper.map(\.name) }
        else if words[0] == "set" && words.count == 3, let row = hyper.first(where: { $0.name == words[1] }),
                case .choice(let choices) = row.kind { candidates = choices }
        else if words[0] == "theme" && words.count == 2 { candidates = themes }
        else if words.count == 2, let offered = extra[words[0]] { candidates = offered }
        else { return (line, []) }
        let partial = words.last ?? ""
        let matches = candidates.filter { $0.lowercased().hasPrefix(partial.lowercased()) }
        guard !matches.isEmpty else { return (line, []) }
        var common = matches[0]
        for m in matches.dropFirst() { while !m.lowercased().hasPrefix(common.lowercased()) { common.removeLast() } }
        let completed = matches.count == 1 ? common + " " : common
        return ((words.dropLast() + [completed]).joined(separator: " "), matches)
    }

    /// Tab on the command line: completes, and lists the candidates when several remain (or
    /// says what a number setting allows).
    static func tabComplete(_ s: inout UIState, hyper: [SettingRow], words: [String: [String]]) {
        let (line, candidates) = completion(s.commandLine!, hyper: hyper, themes: s.themeNames, words: words)
        s.commandLine = line
        s.candidates = candidates.count > 1 ? candidates : []
        let w = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if candidates.isEmpty, w.count == 3, w[0] == "set", let row = hyper.first(where: { $0.name == w[1] }) {
            s.message = ("\(row.name): \(row.allowed) (now \(row.value))", false)
        }
    }

    public static func run(_ line: String, _ s: inout UIState, hyper: [SettingRow], validate: (String, String) -> String?) -> [UIEffect] {
        let w = line.split(separator: " ").map(String.init)
        if s.tab == .runs && jobCommands.contains(w[0]) { s.message = (runsHasNoJob, true); return [] }
        switch w[0] {
        case "set":
            guard w.count == 3 else { s.message = ("usage: set NAME VALUE (names: \(hyper.map(\.name).joined(separator: ", ")))", true); return [] }
            guard let f = hyper.first(where: { $0.name == w[1] }) else {
                s.message = ("unknown hyperparameter '\(w[1])': one of \(hyper.map(\.name).joined(separator: ", "))", true); return []
            }
            return apply(f, text: w[2], &s, validate: validate)
        case "pause": return [.command(.pause)]
        case "resume", "run": return [.command(.resume)]
        case "step":
            let n = w.count > 1 ? Int(w[1]) : 1
            guard let n, n >= 1, n <= 1_000_000 else { s.message = ("usage: step [N] with N in 1…1000000", true); return [] }
            return [.command(.step(n))]
        case "save", "w": return [.command(.save)]
        case "rollback":
            guard s.tab.keepsCheckpoints else { s.message = ("rollback: only the Training, Distill and Attention tabs' runs keep checkpoints", true); return [] }
            guard w.count <= 2 else { s.message = ("usage: rollback [LR] (default: a tenth of the current lr)", true); return [] }
            if w.count == 2, let err = validate("lr", w[1]) { s.message = (err, true); return [] }
            return [.command(.rollback(lr: w.count == 2 ? w[1] : nil))]
        case "goto", "break":
            guard s.tab == .accelerator, w.count == 2 else {
                s.message = ("usage (Accelerator tab): goto CYCLE|next-event|start|end, break STAGE[@H<head>][@L<layer>]|clear", true); return []
            }
            return [.command(.set(name: w[0], value: w[1]))]
        case "export":
            guard s.tab == .accelerator, w.count == 2 else { s.message = ("usage (Accelerator tab): export FILE (the utilisation timeline as CSV)", true); return [] }
            return [.command(.set(name: "export", value: w[1]))]
        case "remove", "up", "down":
            guard s.tab == .attention, w.count == 2, let n = Int(w[1]), n >= 1 else {
                s.message = ("usage (Attention tab): \(w[0]) N, N a queued run's number (x removes the newest queued run)", true); return []
            }
            return [.command(.set(name: w[0], value: String(n)))]
        case "cancel":
            guard s.tab == .accelerator else { s.message = ("cancel: only the Accelerator tab's re-simulation can be cancelled", true); return [] }
            return [.command(.set(name: "cancel", value: ""))]
        case "filter", "sort":
            guard s.tab == .runs else { s.message = ("\(w[0]): only on the Runs tab (5)", true); return [] }
            if w[0] == "filter" {
                s.runs.filter = w.dropFirst().joined(separator: " ")
            } else {
                guard w.count == 2 else { s.message = ("usage: sort name|date|acc|KEY (KEY: any config.json setting, e.g. lr)", true); return [] }
                if let order = RunSort(rawValue: w[1]) {
                    s.runs.sort = order; s.runs.sortKey = nil
                } else if s.runs.hyperparameterKeys.contains(w[1]) {
                    s.runs.sortKey = w[1]
                } else {
                    let keys = s.runs.hyperparameterKeys
                    s.message = ("sort: no run has '\(w[1])' (name, date, acc, or a setting: \(keys.prefix(8).joined(separator: ", "))\(keys.count > 8 ? ", …" : ""))", true)
                    return []
                }
            }
            s.runs.applyView()
            s.message = ("\(s.runs.list.count) of \(s.runs.all.count) runs" + (s.runs.viewNote.isEmpty ? "" : " · " + s.runs.viewNote), false)
            return []
        case "theme":
            guard w.count == 2 else { s.message = ("usage: theme NAME (\(s.themeNames.joined(separator: ", ")))", true); return [] }
            return [.theme(w[1])]
        case "log": s.logLoss.toggle(); return []
        case "help": s.showHelp = true; return []
        case "quit", "q": return [.quit]
        case "__crash": return [.crash]
        default:
            s.message = ("unknown command '\(w[0])': one of \(commands.joined(separator: ", "))", true)
            return []
        }
    }
}

extension Tab {
    /// Tabs whose runs write checkpoints and so can roll back after a divergence.
    var keepsCheckpoints: Bool { self == .training || self == .distill || self == .attention }
}
