import Foundation

/// `retort sim vitality --timeline FILE` output: per attention kind, buckets of cycles and
/// each unit's busy fraction in them (`attention,bucket_start,bucket_end,<unit>…`).
public struct Timeline: Sendable {
    public var attention: String
    public var units: [String]
    public var starts: [Double], ends: [Double]
    /// busy[bucket][unit], NaN where the unit does not exist for this kind.
    public var busy: [[Double]]

    public static func read(_ path: String, attention: String?) throws -> Timeline {
        let t = try CSVTable.read(path)
        guard t.header.count > 3, t.header.prefix(3) == ["attention", "bucket_start", "bucket_end"] else {
            throw PlotError("\(path): not a timeline (header attention,bucket_start,bucket_end,<unit>…; write it with retort sim vitality --timeline FILE)")
        }
        let kinds = t.rows.map { $0[0] }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        guard let kind = attention ?? kinds.first else { throw PlotError("\(path): no rows") }
        guard kinds.contains(kind) else { throw PlotError("\(path): --attention: no rows for '\(kind)' (there are: \(kinds.joined(separator: ", ")))") }
        let rows = t.rows.filter { $0[0] == kind }
        let all = Array(t.header.dropFirst(3))
        // units that exist for this kind (a column empty in every row belongs to another kind)
        let keep = all.indices.filter { u in rows.contains { !$0[3 + u].isEmpty } }
        return Timeline(attention: kind, units: keep.map { all[$0] },
                        starts: rows.map { CSVTable.number($0[1]) }, ends: rows.map { CSVTable.number($0[2]) },
                        busy: rows.map { r in keep.map { CSVTable.number(r[3 + $0]) } })
    }

    /// The unit kind of a unit name ("SA-General[0]" → "SA-General").
    static func kind(_ unit: String) -> String { String(unit.split(separator: "[").first ?? Substring(unit)) }

    /// The row of unit `u`: the first unit on top.
    func line(_ u: Int) -> Double { Double(units.count - 1 - u) }

    /// Cycles on x, one row per unit, each bucket coloured by the unit's busy fraction.
    public func heatmap(size: FigureSize = .single) -> Figure {
        var marks: [Mark] = []
        for (b, row) in busy.enumerated() {
            for (u, v) in row.enumerated() where v.isFinite {
                marks.append(.rect(x0: starts[b], x1: ends[b], y0: line(u) - 0.5, y1: line(u) + 0.5, color: Palette.sequential(v)))
            }
        }
        return Figure(size: size, title: "\(attention) attention: unit utilisation",
                      x: Axis("cycle", .linear(min: starts.first ?? 0, max: ends.last ?? 1)), y: Axis("", .categories(units.reversed())),
                      marks: marks, colorBar: ColorBar(label: "busy fraction", min: 0, max: 1), grid: false)
    }

    /// The pipeline Gantt: one row per unit, a bar over each stretch of buckets in which the
    /// unit is busy at least `threshold` of the time, coloured by unit kind.
    public func gantt(threshold: Double = 0.05, size: FigureSize = .single) -> Figure {
        var marks: [Mark] = [], legend: [LegendEntry] = [], kinds: [String] = []
        for u in units.indices {
            let k = Self.kind(units[u])
            if !kinds.contains(k) { kinds.append(k) }
            let c = Palette.color(kinds.firstIndex(of: k)!)
            var start: Int?
            for b in 0...busy.count {
                let on = b < busy.count && busy[b][u].isFinite && busy[b][u] >= threshold
                if on && start == nil { start = b }
                if !on, let s = start {
                    marks.append(.rect(x0: starts[s], x1: ends[b - 1], y0: line(u) - 0.35, y1: line(u) + 0.35, color: c))
                    start = nil
                }
            }
        }
        for (i, k) in kinds.enumerated() { legend.append(LegendEntry(k, Palette.color(i), .box)) }
        return Figure(size: size, x: Axis("cycle", .linear(min: starts.first ?? 0, max: ends.last ?? 1)),
                      y: Axis("", .categories(units.reversed())), marks: marks, legend: legend, grid: false)
    }
}
