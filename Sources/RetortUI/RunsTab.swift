import Foundation
import Workbench

/// What the Runs tab asks of the run root (file I/O, done by `RunsActions` on a key press).
public enum RunsRequest: Equatable, Sendable {
    case scan
    case open(String)
    case overlay([String])
    case delete(String)
}

/// How the Runs tab orders its list (`S` cycles, `:sort name|date|acc`).
public enum RunSort: String, Sendable, CaseIterable {
    case name, date, accuracy = "acc"
    var label: String { self == .accuracy ? "best accuracy" : rawValue }
    var next: RunSort { RunSort.allCases[(RunSort.allCases.firstIndex(of: self)! + 1) % RunSort.allCases.count] }
}

/// The Runs tab's own state: the scanned list, the selection, the marks and what is shown.
public struct RunsTabState: Sendable {
    public enum View: Sendable {
        case list
        case run(RunCurves)
        case overlay([RunCurves])
    }
    /// The run folders shown: `all` filtered and sorted.
    public var list: [RunSummary] = []
    /// Every scanned run folder, in the catalog's order.
    public var all: [RunSummary] = []
    /// Shows only runs whose name or engine contains this (case-insensitive; empty: all).
    public var filter = ""
    /// The list's order (nil: the catalog's).
    public var sort: RunSort? = nil
    /// Orders by this hyperparameter instead (`:sort KEY`, any config.json key such as `lr` or
    /// `sparse.threshold`): numerically when both values are numbers; runs without it last.
    public var sortKey: String? = nil
    /// Each study's row followed by its runs (`g` toggles); off: one flat list.
    public var groupStudies = true
    /// The overlay's x axis: the fraction of each run's training instead of the epoch.
    public var overlayByFraction = false
    public var selected = 0
    /// Names marked for the overlay, in marking order.
    public var marked: [String] = []
    public var view: View = .list
    /// The run waiting for "delete RUN? y/n".
    public var confirmDelete: String? = nil
    public init() {}

    public var isList: Bool { if case .list = view { return true }; return false }

    /// Rebuilds `list` from `all` with the filter and sort, keeping the selected run if shown.
    public mutating func applyView() {
        if all.isEmpty { all = list }
        let before = selectedRun?.name
        var l = filter.isEmpty ? all : all.filter { Self.matches($0, filter) }
        if let key = sortKey {
            l = Self.stableSorted(l) { a, b in Self.hyperparameterOrder(a.hyperparameters[key], b.hyperparameters[key]) }
        } else {
            switch sort {
            case nil: break
            case .name: l.sort { $0.name < $1.name }
            case .date: l.sort { ($0.date ?? .distantPast) > ($1.date ?? .distantPast) }
            case .accuracy: l.sort { ($0.bestTestAccuracy ?? -1) > ($1.bestTestAccuracy ?? -1) }
            }
        }
        list = groupStudies ? Self.grouped(l) : l
        selected = before.flatMap { b in l.firstIndex { $0.name == b } } ?? 0
    }

    /// What the list shows, for the title: "filter 'x' · sorted by date".
    var viewNote: String {
        [filter.isEmpty ? nil : "filter '\(filter)'", sortKey.map { "sorted by \($0)" } ?? sort.map { "sorted by \($0.label)" },
         all.contains { $0.engine == .study } ? (groupStudies ? "grouped by study" : "not grouped") : nil]
            .compactMap { $0 }.joined(separator: " · ")
    }
    public var selectedRun: RunSummary? { list.indices.contains(selected) ? list[selected] : nil }
}

extension Controller {
    /// Keys of the Runs tab; nil lets the common keys (q, ?, :, 1–5, Tab) through.
    static func runsKey(_ key: Key, _ s: inout UIState) -> [UIEffect]? {
        if let name = s.runs.confirmDelete {
            s.runs.confirmDelete = nil
            if key == .char("y") || key == .char("Y") { return [.runs(.delete(name))] }
            s.message = ("kept \(name)", false)
            return []
        }
        if !s.runs.isList {
            switch key {
            case .escape, .backspace, .delete, .char("h"), .left: s.runs.view = .list; s.message = nil; return []
            case .char("f"):
                guard case .overlay = s.runs.view else { return [] }
                s.runs.overlayByFraction.toggle()
                s.message = ("overlay x axis: \(s.runs.overlayByFraction ? "fraction of each run's training" : "epoch")", false)
                return []
            case .char("q"), .char("?"), .char(":"), .tab, .backTab, .ctrl, .mouseClick: return nil
            case .char(let c) where ("1"..."5").contains(c): return nil
            default: return []
            }
        }
        let n = s.runs.list.count
        func move(_ d: Int) { s.runs.selected = max(0, min(n - 1, s.runs.selected + d)) }
        switch key {
        case .up, .char("k"): move(-1)
        case .down, .char("j"): move(1)
        case .pageUp: move(-10)
        case .pageDown: move(10)
        case .home: s.runs.selected = 0
        case .end: move(n)
        case .char("r"): return [.runs(.scan)]
        case .char("/"): s.commandLine = "filter " + s.runs.filter; s.historyIndex = nil
        case .char("g"):
            s.runs.groupStudies.toggle()
            s.runs.applyView()
            s.message = (s.runs.groupStudies ? "grouped by study (g: one list)" : "one list (g: group by study)", false)
        case .char("S"):
            s.runs.sortKey = nil
            s.runs.sort = s.runs.sort?.next ?? .name
            s.runs.applyView()
            s.message = ("sorted by \(s.runs.sort!.label) (S: next order)", false)
        case .enter, .char("o"):
            guard let run = s.runs.selectedRun else { s.message = ("no run selected", true); return [] }
            if run.engine == .study {
                s.message = ("study \(run.study ?? run.name): \(run.note ?? "") · its runs follow; tables: retort sweep collect", false)
                return []
            }
            return [.runs(.open(run.name))]
        case .char(" "):
            guard let run = s.runs.selectedRun else { return [] }
            if let i = s.runs.marked.firstIndex(of: run.name) { s.runs.marked.remove(at: i) }
            else if run.state == .unreadable || run.engine == .compare || run.engine == .study { s.message = ("\(run.name) has no curves to overlay", true); return [] }
            else { s.runs.marked.append(run.name) }
            s.message = ("\(s.runs.marked.count) marked for the overlay (v shows it)", false)
            move(1)
        case .char("v"):
            guard s.runs.marked.count >= 2 else { s.message = ("mark two or more runs with space, then v overlays them", true); return [] }
            return [.runs(.overlay(s.runs.marked))]
        case .char("x"), .delete:
            guard let run = s.runs.selectedRun else { return [] }
            if run.state == .running { s.message = ("\(run.name) is running: not deleted", true); return [] }
            s.runs.confirmDelete = run.name
            s.message = ("delete \(run.name)? y/n", false)
        case .escape, .backspace: s.runs.marked = []; s.message = ("marks cleared", false)
        default: return nil
        }
        return []
    }
}

/// Carries out the Runs tab's requests against a run catalog (file I/O; key presses only).
public enum RunsActions {
    public static func perform(_ r: RunsRequest, state s: inout UIState, catalog: RunCatalog) {
        switch r {
        case .scan:
            let before = s.runs.selectedRun?.name
            s.runs.all = catalog.scan()
            s.runs.list = s.runs.all
            if !s.runs.filter.isEmpty || s.runs.sort != nil { s.runs.applyView() }
            s.runs.selected = before.flatMap { b in s.runs.list.firstIndex { $0.name == b } } ?? min(s.runs.selected, max(0, s.runs.list.count - 1))
            let names = Set(s.runs.list.map(\.name))
            s.runs.marked = s.runs.marked.filter(names.contains)
            s.runs.view = .list
            s.message = ("\(s.runs.list.count) run folder\(s.runs.list.count == 1 ? "" : "s") in \(catalog.root)", false)
        case .open(let name):
            do { s.runs.view = .run(try catalog.curves(name)); s.message = ("\(name) (read-only) · Esc back", false) }
            catch { s.message = ("\(name): \(error)", true) }
        case .overlay(let names):
            var curves: [RunCurves] = [], skipped: [String] = []
            for n in names {
                if let c = try? catalog.curves(n), c.testAccuracyColumn != nil || c.testLossColumn != nil { curves.append(c) } else { skipped.append(n) }
            }
            guard !curves.isEmpty else { s.message = ("nothing to overlay: no test curves in \(names.joined(separator: ", "))", true); return }
            s.runs.view = .overlay(curves)
            s.message = skipped.isEmpty ? ("overlay of \(curves.count) runs · Esc back", false) : ("overlay; no test curves in \(skipped.joined(separator: ", "))", true)
        case .delete(let name):
            do {
                try catalog.delete(name: name)
                s.runs.marked.removeAll { $0 == name || $0.hasPrefix(name + "/") }
                s.runs.list.removeAll { $0.name == name || $0.name.hasPrefix(name + "/") }
                s.runs.all.removeAll { $0.name == name || $0.name.hasPrefix(name + "/") }
                s.runs.selected = min(s.runs.selected, max(0, s.runs.list.count - 1))
                s.message = ("deleted \(name)", false)
            } catch { s.message = ("\(error)", true) }
        }
    }
}

extension Screen {
    /// Runs tab: the run folders as a table; an opened run's curves and configuration; the
    /// overlay of the marked runs' test curves.
    func runsTab(_ g: inout CellGrid, _ s: UIState, _ r: Rect) {
        switch s.runs.view {
        case .list: runList(&g, s, r)
        case .run(let c): runView(&g, c, s.runs.list.first { $0.name == c.name }, r)
        case .overlay(let cs): overlayView(&g, cs, s, r)
        }
    }

    static func pct(_ v: Double?) -> String { v.map { String(format: "%.2f%%", 100 * $0) } ?? "–" }

    private func runList(_ g: inout CellGrid, _ s: UIState, _ r: Rect) {
        let rs = s.runs
        let note = rs.viewNote
        g.box(r, title: "Runs · \(rs.list.count) folders · \(rs.marked.count) marked" + (note.isEmpty ? "" : " · " + note), glyphs: glyphs)
        let inner = r.inset(1)
        guard !rs.list.isEmpty else {
            let empty = rs.filter.isEmpty ? "No run folders here. Training (tab 1) and `retort train` write them; r rescans."
                : "No run matches the filter '\(rs.filter)' (/ changes it; an empty filter shows all)."
            g.put(inner.x + 1, inner.y + 1, empty, fg: .inactive, clip: inner)
            return
        }
        let df = DateFormatter(); df.locale = Locale(identifier: "en_US_POSIX")
        df.dateFormat = inner.width >= 110 ? "yyyy-MM-dd HH:mm" : "MM-dd HH:mm"
        let wide = inner.width >= 100
        // Fixed columns first; the name gets what is left (at least 12), the note the rest.
        let fixed = 9 + (inner.width >= 110 ? 16 : 11) + 10 + 7 + 8 + (wide ? 9 : 0) + 2 * (wide ? 7 : 6)
        let nameW = max(12, min(rs.list.map { $0.name.count + 2 }.max() ?? 12, inner.width - fixed - (wide ? 12 : 0)))
        func clipName(_ n: String) -> String {
            n.count <= nameW - 2 ? n : String(n.prefix(nameW - 3 - (nameW - 3) / 2)) + glyphs.ellipsis + String(n.suffix((nameW - 3) / 2))
        }
        let listH = max(1, inner.height - 3)            // header + rows; 2 lines for the selected run's details
        let offset = max(0, min(rs.selected - (listH - 2), rs.list.count - (listH - 1)))
        let mark = glyphs.unicode ? "●" : "*"
        let rows = rs.list.dropFirst(offset).prefix(listH - 1).map { run -> [String] in
            let epochs = run.engine == .compare || run.state == .unreadable ? "" : "\(run.epochsDone)/\(run.epochsTotal.map(String.init) ?? "?")"
            // a study's point: its id under the study's row, or "id (study)" in one list
            var label = run.name
            if let study = run.study, run.engine != .study {
                let id = String(run.name.split(separator: "/").last ?? "")
                label = rs.groupStudies ? "  " + id : "\(id) (\(study))"
            }
            var row = [(rs.marked.contains(run.name) ? mark + " " : "  ") + clipName(label), run.engine.rawValue,
                       run.date.map { df.string(from: $0) } ?? "?", run.state.label, epochs, run.state == .unreadable || run.engine == .compare ? "" : Self.pct(run.bestTestAccuracy)]
            if wide { row.append(run.finalTestLoss.map { String(format: "%.4f", $0) } ?? "") }
            let keyNote = rs.sortKey.map { k in "\(k)=\(run.hyperparameters[k] ?? "–")" }
            row.append([keyNote, run.note].compactMap { $0 }.joined(separator: " · "))
            return row
        }
        var t = Table(headers: ["  name", "engine", "date", "state", "epochs", "best acc"] + (wide ? ["test loss"] : []) + ["note"], rows: rows)
        t.highlight = rs.selected - offset
        t.leftAligned = [0, 1, 3, wide ? 7 : 6]
        t.render(into: &g, in: Rect(x: inner.x, y: inner.y, width: inner.width, height: listH))
        for (i, run) in rs.list.dropFirst(offset).prefix(listH - 1).enumerated() {
            let fg: ColorRole? = run.state == .unreadable ? .error : run.state == .running ? .ok : nil
            if let fg, offset + i != rs.selected {
                // colour the state cell's row text only (not the selection bar)
                for x in inner.x..<inner.maxX where g[x, inner.y + 1 + i].char != " " { g[x, inner.y + 1 + i].fg = fg }
            }
        }
        if let sel = rs.selectedRun {
            let y = inner.maxY - 2
            g.put(inner.x, y, "\(sel.name): \(sel.state.label)" + (sel.note.map { " — \($0)" } ?? ""), fg: sel.state == .unreadable ? .error : .fg, clip: inner)
            g.put(inner.x, y + 1, "Enter open · space mark · v overlay marked · x delete · / filter (KEY=VALUE too) · S sort · :sort KEY · g group studies · r rescan", fg: .inactive, clip: inner)
        }
    }

    /// Loss and accuracy columns of one run against the step, with its configuration beside.
    private func runView(_ g: inout CellGrid, _ c: RunCurves, _ summary: RunSummary?, _ r: Rect) {
        let (charts, side) = splitSide(r, 30...44)
        let (lossR, accR) = charts.top(charts.height / 2)
        func xy(_ t: RunTable, _ col: String) -> [ChartSeries.Point] {
            t.series(col).map { ChartSeries.Point(x: $0.0, min: $0.1, max: $0.1, mean: $0.1) }
        }
        func ordered(_ cols: [String]) -> [String] {   // test columns first, at most four
            Array((cols.filter { $0.contains("test") } + cols.filter { !$0.contains("test") }).prefix(4))
        }
        var lossSeries: [ChartSeries] = []
        if let st = c.steps, let col = c.stepLossColumn { lossSeries.append(ChartSeries(name: "step \(col)", color: .series(7), points: xy(st, col))) }
        for (i, col) in ordered(c.lossColumns).prefix(4 - lossSeries.count).enumerated() {
            lossSeries.append(ChartSeries(name: col, color: .series(i), points: xy(c.metrics, col)))
        }
        g.box(lossR, title: "Loss · \(c.name) (read-only)", glyphs: glyphs)
        var loss = LineChart(series: lossSeries)
        loss.logY = false; loss.xLabel = "step"
        loss.render(into: &g, in: lossR.inset(1), glyphs: glyphs)
        g.box(accR, title: "Accuracy · \(c.name)", glyphs: glyphs)
        var acc = LineChart(series: ordered(c.accuracyColumns).enumerated().map { ChartSeries(name: $1, color: .series($0), points: xy(c.metrics, $1)) })
        acc.xLabel = "step"
        acc.render(into: &g, in: accR.inset(1), glyphs: glyphs)
        // Facts: the summary, then config.json
        g.box(side, title: "Run (read-only)", glyphs: glyphs)
        let fi = side.inset(1)
        var rows: [(String, ColorRole)] = [("\(c.engine.rawValue) · \(summary?.state.label ?? "?")", .fg)]
        if let s = summary {
            rows.append(("epochs \(s.epochsDone)/\(s.epochsTotal.map(String.init) ?? "?")", .fg))
            rows.append(("best test acc \(Self.pct(s.bestTestAccuracy))", .fg))
            if let l = s.finalTestLoss { rows.append((String(format: "final test loss %.4f", l), .fg)) }
        }
        rows += c.notes.map { ($0, ColorRole.warn) }
        let n = c.settingChanges.count
        rows.append(("hparams.csv: \(n == 0 ? "no" : String(n)) change\(n == 1 ? "" : "s")", .title))
        // the newest changes when they do not all fit (config.json keeps at least half the box)
        let room = max(1, fi.height / 2 - rows.count)
        if c.settingChanges.count > room { rows.append(("… \(c.settingChanges.count - room + 1) earlier", .inactive)) }
        rows += c.settingChanges.suffix(c.settingChanges.count > room ? room - 1 : room).map { ("step \($0.step): \($0.name) \($0.from) → \($0.to)", ColorRole.fg) }
        rows.append(("config.json", .title))
        let keyW = min(16, (c.config.map { $0.0.count }.max() ?? 8) + 1)
        rows += c.config.map { ($0.0.padding(toLength: keyW, withPad: " ", startingAt: 0) + $0.1, ColorRole.fg) }
        for (i, (t, fg)) in rows.enumerated() where i < fi.height { g.put(fi.x, fi.y + i, KeyHelp.fit(t, width: fi.width), fg: fg, clip: fi) }
    }

    /// Test accuracy and test loss of every marked run against the epoch, one colour per run.
    private func overlayView(_ g: inout CellGrid, _ cs: [RunCurves], _ s: UIState, _ r: Rect) {
        let list = s.runs.all.isEmpty ? s.runs.list : s.runs.all
        let (charts, side) = splitSide(r, 30...44)
        let (accR, lossR) = charts.top(charts.height / 2)
        let byFraction = s.runs.overlayByFraction
        func line(_ c: RunCurves, _ col: String?) -> [ChartSeries.Point] {
            guard let col else { return [] }
            let xy = c.metrics.series(col, x: "epoch")
            // fraction of training: epoch ÷ the run's planned epochs (else its last epoch)
            let total = list.first { $0.name == c.name }?.epochsTotal.map(Double.init) ?? xy.map(\.0).max() ?? 1
            return xy.map { ChartSeries.Point(x: byFraction ? $0.0 / max(1, total) : $0.0, min: $0.1, max: $0.1, mean: $0.1) }
        }
        let xName = byFraction ? "fraction of training" : "epoch"
        g.box(accR, title: "Test accuracy per run (overlay of \(cs.count)) vs \(xName) · f: \(byFraction ? "epoch" : "fraction")", glyphs: glyphs)
        var acc = LineChart(series: cs.enumerated().map { ChartSeries(name: "\($0 + 1)", color: .series($0), points: line($1, $1.testAccuracyColumn)) })
        acc.xLabel = xName
        acc.render(into: &g, in: accR.inset(1), glyphs: glyphs)
        g.box(lossR, title: "Test loss per run", glyphs: glyphs)
        var loss = LineChart(series: cs.enumerated().map { ChartSeries(name: "\($0 + 1)", color: .series($0), points: line($1, $1.testLossColumn)) })
        loss.xLabel = xName
        loss.render(into: &g, in: lossR.inset(1), glyphs: glyphs)
        g.box(side, title: "Legend", glyphs: glyphs)
        let li = side.inset(1)
        var y = li.y
        for (i, c) in cs.enumerated() where y + 1 < li.maxY {
            let x = g.put(li.x, y, glyphs.unicode ? "━━ " : "-- ", fg: .series(i), clip: li)
            let room = max(4, li.maxX - x - 2)
            let name = c.name.count <= room ? c.name : String(c.name.prefix(room - 1 - (room - 1) / 2)) + glyphs.ellipsis + String(c.name.suffix((room - 1) / 2))
            g.put(x, y, "\(i + 1) \(name)", fg: .fg, clip: li)
            let s = list.first { $0.name == c.name }
            let best = s.map { "best \(Self.pct($0.bestTestAccuracy)) · \($0.engine.rawValue) · \($0.epochsDone) ep" } ?? c.engine.rawValue
            g.put(li.x + 3, y + 1, best, fg: .inactive, clip: li)
            y += 2
        }
    }
}
