import Foundation
import Workbench

extension Screen {
    /// Attention tab: the queued ViT runs' curves side by side (one colour per run), the
    /// centred-logit histogram and the layer × head Taylor-vs-softmax error of the running
    /// model, the op table, the kernel-scaling chart, the run list and the live settings.
    /// Small terminals keep the curves, the run list and the settings and drop the rest.
    func attentionTab(_ g: inout CellGrid, _ s: UIState, _ a: AttentionSnapshot?, _ r: Rect) {
        guard let a else { return waiting(&g, r, "Attention", "starting the ViT runs…") }
        let (main, side) = splitSide(r, 34...42)
        let curvesH = main.height >= 30 ? main.height * 2 / 5 : main.height / 2
        let (top, bottom) = main.top(curvesH)
        attentionCurves(&g, a, top)
        // Bottom: a 2×2 grid (histogram | heatmap over op table | scaling), or one row when short.
        if bottom.height >= 12 {
            let (upper, lower) = bottom.top(bottom.height / 2)
            let (histR, heatR) = upper.left(upper.width / 2)
            let (opR, scaleR) = lower.left(lower.width / 2)
            logitHistogram(&g, a, histR); errorHeatmap(&g, a, heatR)
            opTable(&g, a, opR); scalingChart(&g, a, scaleR)
        } else if bottom.height >= 5 {
            let (histR, heatR) = bottom.left(bottom.width / 2)
            logitHistogram(&g, a, histR); errorHeatmap(&g, a, heatR)
        }
        // Side: runs and progress, then the settings.
        let setH = min(side.height / 2, a.settings.count + 6)
        let (factsR, setR) = side.top(side.height - setH)
        attentionFacts(&g, a, factsR)
        panel(&g, setR, title: "Attention settings (live)", fields: a.settings, s)
    }

    private func runColor(_ i: Int) -> ColorRole { .series(i - 1) }

    private func attentionCurves(_ g: inout CellGrid, _ a: AttentionSnapshot, _ r: Rect) {
        let (lossR, accR) = r.left(r.width / 2)
        let started = a.runs.filter { $0.status != .queued }
        let markers = a.changes.filter { $0.run == a.currentRun }.map { Double($0.step) }
        // Bucket means only: the min–max spans of several overlaid runs hide each other.
        func line(_ d: DownsampledSeries) -> [ChartSeries.Point] { points(d).map { .init(x: $0.x, min: $0.mean, max: $0.mean, mean: $0.mean) } }
        g.box(lossR, title: "Train loss per run (step)", glyphs: glyphs)
        var loss = LineChart(series: started.map { ChartSeries(name: "\($0.index) \($0.kind)", color: runColor($0.index), points: line($0.trainLoss)) })
        loss.markers = markers; loss.xLabel = "step"
        loss.render(into: &g, in: lossR.inset(1), glyphs: glyphs)
        g.box(accR, title: "Test accuracy per run (epoch)", glyphs: glyphs)
        var acc = LineChart(series: started.map { ChartSeries(name: "\($0.index) \($0.kind)", color: runColor($0.index), points: line($0.testAccuracy)) })
        acc.markers = markers; acc.xLabel = "step"
        acc.render(into: &g, in: accR.inset(1), glyphs: glyphs)
    }

    private func logitHistogram(_ g: inout CellGrid, _ a: AttentionSnapshot, _ r: Rect) {
        guard let d = a.diagnostics else {
            g.box(r, title: "Centred logits", glyphs: glyphs)
            g.put(r.x + 2, r.y + 1, "measured when a run starts", fg: .inactive, clip: r.inset(1)); return
        }
        g.box(r, title: String(format: "Centred logits: %.1f%% outside [-1,1)", 100 * d.centredShareOutside), glyphs: glyphs)
        let inner = r.inset(1)
        let note = String(format: "neg. weights %.1f%% · raw %.0f%% outside · <%@: %d, ≥%@: %d",
                          100 * d.negativeWeightShare, 100 * d.rawShareOutside, Ticks.label(d.lower), d.below, Ticks.label(d.upper), d.above)
        g.put(inner.x, inner.y, note, fg: .inactive, clip: inner)
        let (_, plot) = inner.top(1)
        var h = Histogram(counts: d.centredCounts, range: d.lower...d.upper)
        h.inside = -1..<1
        h.negative = .warn
        h.render(into: &g, in: plot, glyphs: glyphs)
    }

    /// Layer × head relative error as coloured numbers (a heatmap that keeps its values).
    private func errorHeatmap(_ g: inout CellGrid, _ a: AttentionSnapshot, _ r: Rect) {
        guard let d = a.diagnostics else {
            g.box(r, title: "Taylor vs softmax error", glyphs: glyphs)
            g.put(r.x + 2, r.y + 1, "measured when a run starts", fg: .inactive, clip: r.inset(1)); return
        }
        g.box(r, title: "‖Z_T−Z_S‖/‖Z_S‖ per layer × head", glyphs: glyphs)
        let inner = r.inset(1)
        let heads = d.headErrors.first?.count ?? 0
        guard heads > 0, inner.height >= 2 else { return }
        let peak = max(1e-12, d.headErrors.flatMap { $0 }.filter(\.isFinite).max() ?? 0)
        let cw = max(7, min(9, (inner.width - 4) / max(1, heads + 1)))
        var x = g.put(inner.x, inner.y, "    ", clip: inner)
        for h in 0..<heads { x = g.put(x, inner.y, "H\(h)".padding(toLength: cw, withPad: " ", startingAt: 0), fg: .axis, clip: inner) }
        g.put(x, inner.y, "all", fg: .axis, clip: inner)
        for (l, row) in d.headErrors.enumerated() where l + 1 < inner.height {
            let y = inner.y + 1 + l
            var x = g.put(inner.x, y, "L\(l)".padding(toLength: 4, withPad: " ", startingAt: 0), fg: .axis, clip: inner)
            for v in row {
                let step = v.isFinite ? min(ColorRole.rampSteps - 1, max(0, Int(v / peak * Double(ColorRole.rampSteps - 1) + 0.5))) : 0
                x = g.put(x, y, String(glyphs.eighths[v.isFinite ? max(1, Int(v / peak * 8 + 0.5)) : 0]), fg: .ramp(step), clip: inner)
                x = g.put(x, y, Self.short(v).padding(toLength: cw - 1, withPad: " ", startingAt: 0), fg: colour ? .ramp(step) : .fg, clip: inner)
            }
            g.put(x, y, Self.short(d.layerErrors[l]), fg: .fg, attrs: .bold, clip: inner)
        }
        let foot = inner.y + 1 + d.headErrors.count
        let when = d.step == 0 ? "at init" : "epoch \(d.epoch)"
        if foot < inner.maxY { g.put(inner.x, foot, "run \(d.run) \(d.kind), \(when), \(d.images) test images", fg: .inactive, clip: inner) }
    }

    private static func short(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        return v >= 10 ? String(format: "%.1f", v) : String(format: "%.3f", v)
    }

    private func opTable(_ g: inout CellGrid, _ a: AttentionSnapshot, _ r: Rect) {
        g.box(r, title: "Ops/layer/image n=\(a.tokens) d=\(a.headDim) H=\(a.heads)", glyphs: glyphs)
        func count(_ v: Int) -> String { v < 100_000_000 ? String(v) : Ticks.label(Double(v)) }
        func ratio(_ s: Int, _ t: Int) -> String { t == 0 ? (s == 0 ? "–" : (glyphs.unicode ? "∞" : "inf")) : String(format: "%.2f×", Double(s) / Double(t)) }
        // most telling first: short panels keep the top rows
        let order = ["MACs", "exps", "divs", "storage", "adds", "mults", "cmps"]
        var rows = order.compactMap { n in a.opRows.first { $0.name == n } }.map { [$0.name, count($0.softmax), count($0.taylor), ratio($0.softmax, $0.taylor)] }
        if let m = a.opRows.first(where: { $0.name == "MACs" }) {
            rows.insert(["MACs+linear", count(m.softmax + a.linearMACs), count(m.taylor + a.linearMACs), ratio(m.softmax + a.linearMACs, m.taylor + a.linearMACs)], at: 1)
        }
        var t = Table(headers: ["", "softmax", "Taylor", "S/T"], rows: rows)
        t.highlight = nil
        t.render(into: &g, in: r.inset(1))
    }

    private func scalingChart(_ g: inout CellGrid, _ a: AttentionSnapshot, _ r: Rect) {
        let cross = a.crossover.map { "Taylor faster for n ≥ \($0)" } ?? (a.scaling.isEmpty ? "" : "softmax faster at the largest n")
        g.box(r, title: "ms vs n" + (cross.isEmpty ? "" : " · " + cross), glyphs: glyphs)
        guard !a.scaling.isEmpty else {
            g.put(r.x + 2, r.y + 1, "timed once at the first step (space starts)", fg: .inactive, clip: r.inset(1)); return
        }
        var c = LineChart(series: [
            ChartSeries(name: "softmax ms", color: .series(1), xy: a.scaling.map { (log2(Double($0.tokens)), $0.softmaxMs) }),
            ChartSeries(name: "Taylor ms", color: .series(0), xy: a.scaling.map { (log2(Double($0.tokens)), $0.taylorMs) }),
        ])
        c.logY = true; c.xLabel = "n"
        c.xTickLabel = { String(Int(pow(2, $0).rounded())) }
        if let n = a.crossover { c.markers = [log2(Double(n))] }
        c.render(into: &g, in: r.inset(1), glyphs: glyphs)
    }

    private func attentionFacts(_ g: inout CellGrid, _ a: AttentionSnapshot, _ r: Rect) {
        g.box(r, title: "ViTALiTy attention", glyphs: glyphs)
        let fi = r.inset(1)
        guard fi.height > 0 else { return }
        let done = a.currentRun > a.runs.count
        // (priority, text): the lowest priorities go first when the box is short
        var header: [(Int, String)] = [
            (1, "\(a.modelName) · \(a.dataName.replacingOccurrences(of: ".csv.gz", with: "")) · seed \(a.seed)"),
            (0, "\(a.tokens) tokens · \(a.heads) heads × d=\(a.headDim) · \(a.layers) layers"),
            (3, done ? "all \(a.runs.count) runs finished" : "run \(a.currentRun)/\(a.runs.count): \(a.kind)"
                + (a.diverged != nil ? " · DIVERGED" : (a.ruined[a.currentRun] != nil ? " · RUINED" : ""))),
            (3, String(format: "epoch %d/%d · step %d · %.0f img/s", min(a.epoch + 1, a.totalEpochs), a.totalEpochs, a.step, a.samplesPerSecond)),
            (a.kind == "taylor-sparse" ? 3 : 2, (a.kind == "taylor-sparse" ? (a.maskDensity.isFinite ? String(format: "mask %.1f%% · ", 100 * a.maskDensity) : "mask – · ") : "")
                + "lr \(Self.fmt(a.lr)) · τ \(Self.fmt(a.sparseThreshold))"),
            (0, "runs (test accuracy %: last / best)"),
        ]
        let runRoom = min(a.runs.count, max(1, fi.height - 2))
        while header.count + runRoom > fi.height, let i = header.indices.min(by: { header[$0].0 < header[$1].0 }) { header.remove(at: i) }
        var y = fi.y
        for (p, text) in header where y < fi.maxY {
            let alarm = text.hasSuffix(" · DIVERGED") || text.hasSuffix(" · RUINED")
            g.put(fi.x, y, KeyHelp.fit(text, width: fi.width), fg: p == 0 ? .inactive : (alarm ? .error : .fg), attrs: alarm ? .bold : [], clip: fi); y += 1
        }
        // a window of the run list around the current run
        let room = fi.maxY - y
        guard room > 0 else { return }
        let first = max(0, min(a.currentRun - 2, a.runs.count - room))
        for run in a.runs[first...].prefix(room) {
            let acc = run.lastTestAccuracy.isFinite ? String(format: "%5.1f / %5.1f", 100 * run.lastTestAccuracy, 100 * run.bestTestAccuracy) : ""
            let ruined = a.ruined[run.index] != nil && run.status != .diverged
            let status = ruined ? "RUINED" : [.running: "run", .finished: "done", .diverged: "DIVERGED"][run.status] ?? "queued"
            var x = g.put(fi.x, y, glyphs.unicode ? "━ " : "- ", fg: runColor(run.index), clip: fi)
            x = g.put(x, y, "\(run.index) \(run.kind.padding(toLength: 13, withPad: " ", startingAt: 0)) \(status.padding(toLength: run.status == .diverged ? 8 : 6, withPad: " ", startingAt: 0)) \(acc)",
                      fg: run.status == .queued ? .inactive : (run.status == .diverged || ruined ? .error : .fg),
                      attrs: run.status == .running || run.status == .diverged ? .bold : [], clip: fi)
            y += 1
        }
        // the latest setting changes underneath, if there is room
        let room2 = fi.maxY - y - 1
        guard room2 > 0, !a.changes.isEmpty else { return }
        for c in a.changes.suffix(room2) {
            y += 1
            let at = c.run == 0 ? "before run 1" : "run \(c.run) step \(c.step)"
            g.put(fi.x, y, "\(at): \(c.name) \(c.from) → \(c.to)", fg: .inactive, clip: fi)
        }
    }
}
