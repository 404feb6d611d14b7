import Foundation

/// Lines from a table with one row per point (the CSVs of `retort bench vit --csv` and
/// `retort bench attention --memory --csv`): x and y are named columns, each distinct value
/// of the `series` columns is one line (points in x order), and `filters` (column = value)
/// keep only the matching rows.
public enum LineTable {
    public static func figure(_ t: CSVTable, x: String, y: String, series: [String], filters: [(column: String, value: String)] = [],
                              size: FigureSize = .single) throws -> Figure {
        let xi = try t.require(x, for: "lines"), yi = try t.require(y, for: "lines")
        let si = try series.map { try t.require($0, for: "lines") }
        let fi = try filters.map { (try t.require($0.column, for: "lines"), $0.value) }
        let rows = t.rows.filter { r in fi.allSatisfy { r[$0.0] == $0.1 } }
        guard !rows.isEmpty else { throw PlotError("\(t.file): lines: no rows match \(filters.map { "\($0.column)=\($0.value)" }.joined(separator: ", "))") }
        var order: [String] = [], points: [String: [DataPoint]] = [:]
        for r in rows {
            let label = si.isEmpty ? y : si.map { r[$0] }.joined(separator: " ")
            if points[label] == nil { order.append(label) }
            points[label, default: []].append(DataPoint(CSVTable.number(r[xi]), CSVTable.number(r[yi])))
        }
        var marks: [Mark] = [], legend: [LegendEntry] = []
        for (i, label) in order.enumerated() {
            let c = Palette.color(i), p = points[label]!.sorted { $0.x < $1.x }
            marks.append(.line(p, color: c, width: Style.lineWidth))
            marks.append(.dots(p, color: c, radius: 1.8))
            legend.append(LegendEntry(label, c, .line(dashed: false)))
        }
        func name(_ s: String) -> String { s.replacingOccurrences(of: "_", with: " ") }
        return Figure(size: size, x: Axis(name(x)), y: Axis(name(y)), marks: marks, legend: legend)
    }
}
