import Foundation

/// Figures from `retort sweep collect` tables (long format):
/// summary.csv `condition,<axis…>,metric,n,mean,std,ci95_low,ci95_high` and
/// pareto.csv `point,<axis…>,latency_cycles,energy,area,on_front`.
public enum SweepCharts {
    /// One bar per condition: the mean of `metric` with its 95 % confidence interval.
    public static func bars(summary t: CSVTable, metric: String, size: FigureSize = .single) throws -> Figure {
        let cond = try t.require("condition", for: "bars"), m = try t.require("metric", for: "bars")
        let mean = try t.require("mean", for: "bars"), lo = try t.require("ci95_low", for: "bars"), hi = try t.require("ci95_high", for: "bars")
        let n = t.index("n")
        let rows = t.rows.filter { $0[m] == metric }
        guard !rows.isEmpty else {
            let metrics = t.rows.map { $0[m] }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            throw PlotError("\(t.file): --metric: no rows for '\(metric)' (metrics: \(metrics.joined(separator: ", ")))")
        }
        var marks: [Mark] = []
        for (i, r) in rows.enumerated() {
            let l = CSVTable.number(r[lo]), h = CSVTable.number(r[hi])
            marks.append(.bar(x: Double(i), height: CSVTable.number(r[mean]), width: 0.7, color: Palette.color(i),
                              error: l.isFinite && h.isFinite && l <= h ? l...h : nil))
        }
        let seeds = n.map { i in Set(rows.map { $0[i] }) }
        let note = seeds?.count == 1 ? "mean and 95 % CI over \(seeds!.first!) seeds" : "mean and 95 % CI"
        return Figure(size: size, title: note, x: Axis("", .categories(rows.map { $0[cond] })), y: Axis(metric), marks: marks)
    }

    /// Every point (hollow grey), the Pareto-optimal ones filled and joined by the front line.
    public static func pareto(_ t: CSVTable, x: String = "latency_cycles", y: String = "energy", size: FigureSize = .single) throws -> Figure {
        let xi = try t.require(x, for: "pareto"), yi = try t.require(y, for: "pareto"), fi = try t.require("on_front", for: "pareto")
        let pts = t.rows.map { (DataPoint(CSVTable.number($0[xi]), CSVTable.number($0[yi])), ["1", "true", "yes"].contains($0[fi].lowercased())) }
        let front = pts.filter(\.1).map(\.0).sorted { $0.x < $1.x }
        let c = Palette.color(0)
        let marks: [Mark] = [
            .dots(pts.filter { !$0.1 }.map(\.0), color: .grey, radius: 1.8, hollow: true),
            .line(front, color: c, width: Style.lineWidth),
            .dots(front, color: c, radius: 2.2),
        ]
        return Figure(size: size, x: Axis(x.replacingOccurrences(of: "_", with: " ")), y: Axis(y.replacingOccurrences(of: "_", with: " ")),
                      marks: marks, legend: [LegendEntry("Pareto front", c, .dot), LegendEntry("other points", .grey, .dot)])
    }
}
