import Foundation

/// The gradient-conflict histogram of a distill run: cos(g_s, g_t) of every logged step
/// (steps.csv `cos`, the data the Distill tab's histogram shows), and, after surgery, `cos_after`.
public enum CosineHistogram {
    public static func read(run folder: String) throws -> (before: [Double], after: [Double]) {
        let t = try CSVTable.read((folder as NSString).appendingPathComponent("steps.csv"))
        let c = try t.require("cos", for: "cosine histogram (a distill run with the teacher loss)")
        let before = t.numbers(c).filter(\.isFinite)
        let after = t.index("cos_after").map { t.numbers($0).filter(\.isFinite) } ?? []
        guard !before.isEmpty else { throw PlotError("\(t.file): cosine histogram: no finite 'cos' values") }
        return (before, after == before ? [] : after)
    }

    /// Counts of `values` in `bins` equal bins over -1…1.
    public static func counts(_ values: [Double], bins: Int) -> [Int] {
        var out = [Int](repeating: 0, count: bins)
        for v in values where v.isFinite { out[min(bins - 1, max(0, Int(((v + 1) / 2 * Double(bins)).rounded(.down))))] += 1 }
        return out
    }

    public static func figure(before: [Double], after: [Double], bins: Int = 40, size: FigureSize = .single) -> Figure {
        var marks: [Mark] = [], legend: [LegendEntry] = []
        let w = 2 / Double(bins)
        let peak = [before, after].filter { !$0.isEmpty }.map { Double(counts($0, bins: bins).max()!) / Double($0.count) }.max() ?? 1
        let top = Ticks.linear(0, peak).range.upperBound
        // before surgery as filled bins, after it as the outline of its bins
        let c0 = Palette.color(0), c1 = Palette.color(3)
        for (i, n) in counts(before, bins: bins).enumerated() where n > 0 {
            let x0 = -1 + Double(i) * w
            marks.append(.rect(x0: x0, x1: x0 + w, y0: 0, y1: Double(n) / Double(before.count), color: c0.withAlpha(0.8)))
        }
        legend.append(LegendEntry("cos(g_s, g_t)", c0, .box))
        if !after.isEmpty {
            var outline: [DataPoint] = [DataPoint(-1, 0)]
            for (i, n) in counts(after, bins: bins).enumerated() {
                let y = Double(n) / Double(after.count), x0 = -1 + Double(i) * w
                outline += [DataPoint(x0, y), DataPoint(x0 + w, y)]
            }
            outline.append(DataPoint(1, 0))
            marks.append(.line(outline, color: c1, width: Style.lineWidth))
            legend.append(LegendEntry("after surgery", c1, .line(dashed: false)))
        }
        marks.append(.line([DataPoint(0, 0), DataPoint(0, top)], color: .black, width: 0.6, dashed: true))
        return Figure(size: size, x: Axis("cosine of student and teacher gradients", .linear(min: -1, max: 1)),
                      y: Axis("fraction of steps", .linear(min: 0, max: top)), marks: marks, legend: legend)
    }
}
