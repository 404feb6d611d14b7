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
        for (series, (values, color)) in [(before, Palette.color(0)), (after, Palette.color(1))].enumerated() where !values.isEmpty {
            let counts = counts(values, bins: bins)
            let total = Double(values.count)
            for (i, n) in counts.enumerated() where n > 0 {
                let x0 = -1 + Double(i) * w
                marks.append(.rect(x0: x0, x1: x0 + w, y0: 0, y1: Double(n) / total, color: color.withAlpha(series == 0 ? 0.85 : 0.55)))
            }
            legend.append(LegendEntry(series == 0 ? "cos(g_s, g_t)" : "after surgery", color, .box))
        }
        marks.append(.line([DataPoint(0, 0), DataPoint(0, top)], color: .black, width: 0.6, dashed: true))
        return Figure(size: size, x: Axis("cosine of student and teacher gradients", .linear(min: -1, max: 1)),
                      y: Axis("fraction of steps", .linear(min: 0, max: top)), marks: marks, legend: legend)
    }
}
