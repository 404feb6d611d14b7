import Foundation
import RunKit
import Workbench

/// Renders the whole screen into a cell grid. Pure: the same inputs give the same grid.
public struct Screen {
    public static let minWidth = 80, minHeight = 24

    public var glyphs: Glyphs
    public var colour: Bool
    public init(glyphs: Glyphs, colour: Bool) { self.glyphs = glyphs; self.colour = colour }

    public func render(_ s: UIState, training t: TrainingSnapshot?, accelerator acc: AcceleratorSnapshot? = nil, distill dst: DistillSnapshot? = nil,
                       attention att: AttentionSnapshot? = nil, width: Int, height: Int) -> CellGrid {
        var g = CellGrid(width: width, height: height)
        guard width >= Self.minWidth && height >= Self.minHeight else {
            let msg = "terminal too small: need \(Self.minWidth)×\(Self.minHeight), have \(width)×\(height)"
            let lines = width >= msg.count ? [msg] : ["too small", "need \(Self.minWidth)×\(Self.minHeight)", "have \(width)×\(height)"]
            for (i, l) in lines.enumerated() where i < height { g.put(max(0, (width - l.count) / 2), height / 2 - lines.count / 2 + i, l, fg: .warn) }
            return g
        }
        header(&g, s, t, dst, att, acc)
        tabs(&g, s)
        let body = Rect(x: 0, y: 2, width: width, height: height - 4)
        switch s.tab {
        case .training: trainingTab(&g, s, t, body)
        case .accelerator: acceleratorTab(&g, s, acc, body)
        case .distill: distillTab(&g, s, dst, body)
        case .attention: attentionTab(&g, s, att, body)
        case .runs: runsTab(&g, s, body)
        }
        footer(&g, s)
        if s.showHelp { help(&g, KeyHelp.overlay(for: s.tab), scroll: s.helpScroll) }
        return g
    }

    /// The front tab's job (the Runs tab: a summary of the run folders; nothing while the
    /// job has not published a snapshot).
    func header(_ g: inout CellGrid, _ s: UIState, _ t: TrainingSnapshot?, _ dst: DistillSnapshot?, _ att: AttentionSnapshot?,
                _ acc: AcceleratorSnapshot?) {
        g.fill(Rect(x: 0, y: 0, width: g.width, height: 1), Cell(" ", bg: .selectedBg))
        // most important first; whatever does not fit the width is left out
        var parts = ["retort"]
        func job(_ state: String, _ epoch: Int, _ total: Int, _ step: Int, _ rate: Double, _ elapsed: Double,
                 _ name: String, _ blas: String) {
            parts += [state, "\(EpochCount.short(completed: epoch, total: total))  step \(step)",
                      String(format: "%.0f samples/s", rate), Self.clock(elapsed), name, "BLAS \(blas)"]
        }
        switch s.tab {
        case .training:
            if let t {
                job(t.diverged != nil ? "DIVERGED" : t.state.rawValue.uppercased(), t.epoch, t.totalEpochs, t.step,
                    t.samplesPerSecond, t.elapsed, t.runName, t.blas)
                if let eta = t.eta { parts.insert("ETA \(Self.clock(eta))", at: 5) }
            }
        case .distill:
            if let d = dst {
                job(d.state.rawValue.uppercased(), d.epoch, d.totalEpochs, d.step,
                    d.samplesPerSecond, d.elapsed, d.runName, d.blas)
            }
        case .attention:
            if let a = att {
                let run = a.runs.indices.contains(a.currentRun - 1) ? a.runs[a.currentRun - 1] : nil
                let name = run.map { $0.runFolder.isEmpty ? "" : URL(fileURLWithPath: $0.runFolder).lastPathComponent } ?? ""
                job(a.state.rawValue.uppercased(), a.epoch, a.totalEpochs, a.step,
                    a.samplesPerSecond, a.elapsed, name, a.blas)
            }
        case .accelerator:
            if let a = acc {
                parts += [a.state.rawValue.uppercased(), "cycle \(a.cycle)/\(a.totalCycles)", "layer \(a.layer)", "\(a.model) · \(a.attention)"]
            }
        case .runs:
            let l = s.runs.list
            parts += ["runs: \(l.count) folders", "\(l.filter { $0.state == .running }.count) running",
                      "\(l.filter { $0.state == .unreadable }.count) unreadable", "\(s.runs.marked.count) marked"]
        }
        let sep = "  \(glyphs.box.v)  "
        var line = ""
        for p in parts where !p.isEmpty {
            let next = line.isEmpty ? p : line + sep + p
            if next.count > g.width - 2 { break }
            line = next
        }
        g.put(1, 0, line, fg: .selectedFg, bg: .selectedBg, attrs: .bold)
    }

    static func clock(_ s: Double) -> String {
        let i = s.isFinite ? Int(max(0, min(s, 1e9))) : 0
        return String(format: "%02d:%02d:%02d", i / 3600, (i / 60) % 60, i % 60)
    }

    func tabs(_ g: inout CellGrid, _ s: UIState) {
        for (tab, range) in Controller.tabLabels() {
            let sel = tab == s.tab
            g.put(range.lowerBound, 1, " \(tab.rawValue + 1) \(tab.title) ", fg: sel ? .selectedFg : .inactive, bg: sel ? .highlight : .bg,
                  attrs: sel ? .bold : [])
        }
    }

    /// A tab whose job has not published its first snapshot yet.
    func waiting(_ g: inout CellGrid, _ r: Rect, _ title: String, _ text: String) {
        g.box(r, title: title, glyphs: glyphs)
        g.put(r.x + 2, r.y + 2, text, fg: .inactive)
    }

    /// Splits a tab into the main area and a side column of a third of the width, clamped.
    func splitSide(_ r: Rect, _ width: ClosedRange<Int>) -> (Rect, Rect) {
        r.left(r.width - min(width.upperBound, max(width.lowerBound, r.width / 3)))
    }

    func trainingTab(_ g: inout CellGrid, _ s: UIState, _ t: TrainingSnapshot?, _ r: Rect) {
        guard let t else { return waiting(&g, r, "Training", s.hasTrainingRun ? "starting…" : TUIApp.noTrainingRun) }
        let (charts, side) = splitSide(r, 34...44)
        // tall terminals add the lr and gradient-norm curves under loss and accuracy
        let (lossAcc, lrGradR) = charts.height >= 30 ? charts.top(charts.height * 3 / 4) : (charts, Rect(x: 0, y: 0, width: 0, height: 0))
        let (lossR, accR) = lossAcc.top(lossAcc.height * 11 / 20)
        let markers = t.changes.map { Double($0.step) }
        let from = s.zoom == 0 ? -Double.infinity : Double(t.step) * (1 - 1 / Double(1 << s.zoom))
        func points(_ series: DownsampledSeries) -> [ChartSeries.Point] { self.points(series).filter { $0.x >= from } }
        let r = TrainingReadout(t, cursor: s.chartCursor, from: from, points: points)
        // Loss
        g.box(lossR, title: "Loss" + r.lossTitle, glyphs: glyphs)
        var loss = LineChart(series: [
            ChartSeries(name: "step", color: .series(7), points: r.step),
            ChartSeries(name: "train", color: .series(0), points: r.trainLoss),
            ChartSeries(name: "test", color: .series(1), points: r.testLoss),
        ])
        loss.logY = s.logLoss; loss.markers = markers; loss.xLabel = "step"; loss.cursor = r.x
        loss.render(into: &g, in: lossR.inset(1), glyphs: glyphs)
        // Accuracy
        g.box(accR, title: "Accuracy" + r.accuracyTitle, glyphs: glyphs)
        var acc = LineChart(series: [
            ChartSeries(name: "train", color: .series(0), points: r.trainAccuracy),
            ChartSeries(name: "test", color: .series(1), points: r.testAccuracy),
        ])
        acc.markers = markers; acc.xLabel = "step"; acc.cursor = r.x
        acc.render(into: &g, in: accR.inset(1), glyphs: glyphs)
        // lr and gradient norm (tall terminals)
        if !lrGradR.isEmpty {
            let (lrR, gradR) = lrGradR.left(lrGradR.width / 2)
            g.box(lrR, title: "lr (current)" + r.lrTitle, glyphs: glyphs)
            var lr = LineChart(series: [ChartSeries(name: "lr", color: .series(2), points: r.lr)])
            lr.markers = markers; lr.xLabel = "step"; lr.cursor = r.x
            lr.render(into: &g, in: lrR.inset(1), glyphs: glyphs)
            g.box(gradR, title: "Gradient norm ‖g‖" + r.gradTitle, glyphs: glyphs)
            var grad = LineChart(series: [ChartSeries(name: "‖g‖", color: .series(3), points: r.grad)])
            grad.logY = true; grad.markers = markers; grad.xLabel = "step"; grad.cursor = r.x
            grad.render(into: &g, in: gradR.inset(1), glyphs: glyphs)
        }
        // Hyperparameters
        let (hpR, logR) = side.top(min(side.height - 5, t.hyper.count + 6))
        panel(&g, hpR, title: "Hyperparameters (live)", fields: t.hyper, s)
        // Run facts and log
        g.box(logR, title: "Run", glyphs: glyphs)
        let li = logR.inset(1)
        var rows = [
            "lr now \(Self.fmt(t.lr))  ‖g‖ \(t.gradientNorm.last.isFinite ? String(format: "%.3g", t.gradientNorm.last) : "–")",
            "ETA \(t.eta.map(Self.clock) ?? "–")  · \(t.parameterCount) params",
            "\(t.modelName)",
            "\(t.dataName): \(t.trainCount) train / \(t.testCount) test",
        ]
        if let a = t.testAccuracy.buckets.last { rows.append(String(format: "test acc %.2f%%  (best %.2f%%)", 100 * a.mean, 100 * (t.testAccuracy.yRange?.upperBound ?? 0))) }
        for (i, row) in rows.enumerated() where i < li.height { g.put(li.x, li.y + i, KeyHelp.fit(row, width: li.width), fg: .fg, clip: li) }
        let logRows = li.height - rows.count - 1
        if logRows > 0 {
            for (i, m) in t.messages.suffix(logRows).enumerated() {
                g.put(li.x, li.y + rows.count + 1 + i, KeyHelp.fit("\(m.step): \(m.text)", width: li.width),
                      fg: m.level == .error ? .error : .inactive, clip: li)
            }
        }
    }

    /// The live-settings panel: one row per field, the selected one highlighted (or being
    /// typed into), its allowed range and help underneath.
    func panel(_ g: inout CellGrid, _ r: Rect, title: String, fields: [SettingRow], _ s: UIState) {
        g.box(r, title: title, glyphs: glyphs, focused: true)
        let inner = r.inset(1)
        let nameW = min(18, max(8, (fields.map(\.name.count).max() ?? 8) + 1))
        for (i, f) in fields.enumerated() where i < inner.height - 3 {
            let sel = i == s.selectedField
            let value = sel && s.editBuffer != nil ? s.editBuffer! + "_" : f.value
            let line = (sel ? (glyphs.unicode ? "› " : "> ") : "  ") + f.name.padding(toLength: nameW, withPad: " ", startingAt: 0) + value
            g.put(inner.x, inner.y + i, line.padding(toLength: inner.width, withPad: " ", startingAt: 0),
                  fg: sel ? .selectedFg : .fg, bg: sel ? (s.editBuffer != nil ? .highlight : .selectedBg) : .bg, clip: inner)
        }
        if s.selectedField < fields.count {
            let f = fields[s.selectedField]
            g.put(inner.x, inner.maxY - 2, "allowed \(f.allowed)", fg: .inactive, clip: inner)
            g.put(inner.x, inner.maxY - 1, f.help, fg: .inactive, clip: inner)
        }
    }

    func points(_ s: DownsampledSeries) -> [ChartSeries.Point] {
        s.buckets.map { ChartSeries.Point(x: ($0.x0 + $0.x1) / 2, min: $0.min, max: $0.max, mean: $0.mean) }
    }

    static func fmt(_ v: Double) -> String {
        if v.isNaN { return "?" }
        if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
        return String(format: "%.4g", v)
    }

    func footer(_ g: inout CellGrid, _ s: UIState) {
        let y1 = g.height - 2, y2 = g.height - 1
        if let cmd = s.commandLine {
            let x = g.put(0, y1, ":" + cmd + "_", fg: .fg)
            if !s.candidates.isEmpty { g.put(x, y1, KeyHelp.fit("   " + s.candidates.joined(separator: "  "), width: g.width - x), fg: .inactive) }
        } else if let e = s.editBuffer {
            if let m = s.message, m.error { g.put(0, y1, "value: \(e)_   ! \(m.text)", fg: .error, attrs: .bold) }
            else { g.put(0, y1, "value: \(e)_   (Enter apply · Esc cancel · Ctrl-U clear)", fg: .highlight) }
        } else if let m = s.message {
            g.put(0, y1, KeyHelp.fit((m.error ? "! " : "") + m.text, width: g.width), fg: m.error ? .error : .ok, attrs: m.error ? .bold : [])
        }
        let hints = s.tab == .runs
            ? (s.runs.isList ? "? help  q quit  ↑↓ select  Enter open  space mark  v overlay  x delete  r rescan  Esc clear marks" : "? help  q quit  Esc back to the list")
            : s.tab == .accelerator
            ? "? help  q quit  space run/pause  n step  N ×10  g next event  G end  t taylor/softmax  ↑↓ ←→ settings  : goto/break"
            : "? help  q quit  space pause  n step  ↑↓ select  ←→ adjust  Enter type  u undo  : command  s save"
        g.put(0, y2, glyphs.unicode ? hints : hints.replacingOccurrences(of: "↑↓", with: "j/k").replacingOccurrences(of: "←→", with: "h/l"),
              fg: .inactive)
    }

    /// The key help of the front tab: a box as wide as the terminal allows (and the text
    /// needs), descriptions wrapped at spaces; what does not fit ends in "…".
    func help(_ g: inout CellGrid, _ entries: [(String, String)], scroll: Int = 0) {
        let keyW = min(24, (entries.map(\.0.count).max() ?? 0) + 2)
        let note = "Changes apply at the next step and are logged in the run's metrics (hparams.csv)."
        let need = max(keyW + (entries.map(\.1.count).max() ?? 0), note.count) + 4
        let w = min(g.width, need)
        let textW = max(1, w - 4 - keyW)
        var lines: [(String, String)] = []
        for (k, d) in entries {
            for (i, part) in KeyHelp.wrap(d, width: textW).enumerated() { lines.append((i == 0 ? k : "", part)) }
        }
        let h = min(g.height, lines.count + 4)
        let r = Rect(x: (g.width - w) / 2, y: (g.height - h) / 2, width: w, height: h)
        g.fill(r, Cell(" "))
        let rows = h - 4
        // scrolled: the lines from `first`; the title says where, the last row that more follows
        let first = max(0, min(scroll, lines.count - rows))
        g.box(r, title: "Keys — ? or Esc closes" + (lines.count > rows ? " · ↑↓ PgDn scroll (\(first + 1)–\(first + rows) of \(lines.count))" : ""),
              glyphs: glyphs, focused: true)
        for (i, (k, d)) in lines.dropFirst(first).prefix(rows).enumerated() {
            let cut = i == rows - 1 && lines.count > first + rows
            g.put(r.x + 2, r.y + 1 + i, k, fg: .highlight, attrs: .bold, clip: r.inset(1))
            g.put(r.x + 2 + keyW, r.y + 1 + i, cut ? KeyHelp.fit(d + " …", width: textW) : d, fg: .fg, clip: r.inset(1))
        }
        g.put(r.x + 2, r.maxY - 2, KeyHelp.fit(note, width: w - 4), fg: .inactive, clip: r.inset(1))
    }
}
