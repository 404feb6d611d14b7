import Foundation
import RunKit
import Workbench

extension Screen {
    /// Distill tab: student and teacher curves, the gradient-cosine panel (whole-vector cosine
    /// over time before/after surgery, histogram of per-tensor cosines, per-layer conflict
    /// table), the uncertainty panel (teacher-entropy histogram, mean KD weight) and the live
    /// settings.
    func distillTab(_ g: inout CellGrid, _ s: UIState, _ d: DistillSnapshot?, _ r: Rect) {
        guard let d else { return waiting(&g, r, "Distill", "starting the NetDistiller run…") }
        let (main, side) = splitSide(r, 34...42)
        // short terminals keep the curves (with their axes) and drop the bottom row
        let (top, bottom) = main.height >= 30 ? main.top(main.height / 2) : (main, Rect(x: main.x, y: main.maxY, width: main.width, height: 0))
        let (curvesR, cosR) = top.left(top.width / 2)
        let markers = d.changes.map { Double($0.step) }
        let (accR, lossR) = curvesR.top(curvesR.height / 2)
        // Curves: student and teacher accuracy
        g.box(accR, title: "Accuracy (student / teacher)", glyphs: glyphs)
        if let c = d.collapse {
            // the warning replaces the title, in the error colour
            g.put(accR.x + 1, accR.y, " " + KeyHelp.fit("COLLAPSE: " + c, width: max(0, accR.width - 4)) + " ", fg: .error, attrs: .bold,
                  clip: Rect(x: accR.x, y: accR.y, width: accR.width - 1, height: 1))
        }
        var acc = LineChart(series: [
            ChartSeries(name: "S test", color: .series(0), points: points(d.studentTestAccuracy)),
            ChartSeries(name: "T test", color: .series(1), points: points(d.teacherTestAccuracy)),
            ChartSeries(name: "S train", color: .series(2), points: points(d.studentTrainAccuracy)),
        ])
        acc.markers = markers
        acc.render(into: &g, in: accR.inset(1), glyphs: glyphs)
        // Step losses: student label loss, teacher label loss, KD term (λ included); the legend
        // gives each one's latest value beside the mean of its newest bucket
        g.box(lossR, title: "Loss per step (student / teacher / KD)", glyphs: glyphs)
        func lossSeries(_ name: String, _ color: ColorRole, _ s: DownsampledSeries) -> ChartSeries {
            var c = ChartSeries(name: name, color: color, points: points(s)); c.latest = s.last; return c
        }
        var loss = LineChart(series: [lossSeries("S", .series(0), d.studentStepLoss)]
            + (d.hasTeacher ? [lossSeries("T", .series(1), d.teacherStepLoss), lossSeries("KD", .series(5), d.kdStepLoss)] : []))
        loss.markers = markers; loss.logY = s.logLoss
        loss.render(into: &g, in: lossR.inset(1), glyphs: glyphs)
        // Whole-vector cosine over time, before and after surgery
        g.box(cosR, title: "cos(g_s, g_t) on shared weights", glyphs: glyphs)
        var cos = LineChart(series: [
            ChartSeries(name: "before", color: .series(3), points: points(d.cosine)),
            ChartSeries(name: "after surgery", color: .series(4), points: points(d.cosineAfter)),
        ])
        cos.markers = markers; cos.yRange = -1...1
        cos.render(into: &g, in: cosR.inset(1), glyphs: glyphs)
        // Bottom: histogram of per-tensor cosines + per-layer conflict table + entropy histogram
        if !bottom.isEmpty { distillBottom(&g, d, bottom) }
        distillSide(&g, s, d, side)
    }

    private func distillBottom(_ g: inout CellGrid, _ d: DistillSnapshot, _ bottom: Rect) {
        let (histR, rest) = bottom.left(bottom.width / 3)
        let (tableR, entR) = rest.left(rest.width * 3 / 5)
        g.box(histR, title: "per-tensor cos (recent)", glyphs: glyphs)
        var h = Histogram(counts: Histogram.bin(d.recentTensorCosines, bins: 20, range: -1...1), range: -1...1)
        h.split = 0
        h.render(into: &g, in: histR.inset(1), glyphs: glyphs)
        g.box(tableR, title: String(format: "conflicts: %.1f%% of steps (≥1 tensor %.0f%%)", 100 * d.conflictFraction, 100 * d.anyTensorConflictFraction), glyphs: glyphs)
        var t = Table(headers: ["tensor", "conf %", "cos now", "cos mean"], rows: d.conflictTable.map {
            [String($0.name.suffix(18)), String(format: "%.1f", $0.conflictPercent), fmtCos($0.latestCosine), fmtCos($0.meanCosine)]
        })
        t.highlight = nil
        t.render(into: &g, in: tableR.inset(1))
        g.box(entR, title: String(format: "teacher entropy · w̄ %.2f", d.meanKDWeight), glyphs: glyphs)
        var e = Histogram(counts: Histogram.bin(d.recentEntropies, bins: 16, range: 0...max(1e-9, d.entropyMax)), range: 0...max(1e-9, d.entropyMax))
        e.positive = .series(5)
        e.render(into: &g, in: entR.inset(1), glyphs: glyphs)
    }

    private func distillSide(_ g: inout CellGrid, _ s: UIState, _ d: DistillSnapshot, _ side: Rect) {
        // Side: run facts + settings
        let (factsR, setR) = side.top(min(side.height - 8, d.kept == nil ? 8 : 9))
        g.box(factsR, title: "NetDistiller [R]", glyphs: glyphs)
        let fi = factsR.inset(1)
        let facts = [
            "\(d.method): student \(d.studentWidth), teacher \(d.teacherWidth)",
            "\(d.modelName) · \(d.dataName)",
            (d.diverged != nil ? "DIVERGED · " : "") + "step \(d.step) · \(String(format: "%.0f", d.samplesPerSecond)) samples/s",
            EpochCount.text(completed: d.epoch, total: d.totalEpochs),
            d.epochRows.last.map { String(format: "last epoch: student %.2f%%, teacher %.2f%%", 100 * $0.studentTestAccuracy, 100 * $0.teacherTestAccuracy) } ?? "no epoch finished yet",
        ] + (d.kept.map { [$0] } ?? []) + [
            "[R] = reconstruction, not the paper's exact method",
        ]
        for (i, l) in facts.enumerated() where i < fi.height {
            let fg: ColorRole = i == facts.count - 1 ? .inactive : (i == 2 && d.diverged != nil ? .error : .fg)
            g.put(fi.x, fi.y + i, l, fg: fg, attrs: i == 2 && d.diverged != nil ? .bold : [], clip: fi)
        }
        panel(&g, setR, title: "Distill settings (live)", fields: d.settings, s)
    }

    private func fmtCos(_ v: Double) -> String { v.isFinite ? String(format: "%+.2f", v) : "–" }
}
