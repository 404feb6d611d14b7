import Foundation
import Workbench

extension Screen {
    /// Accelerator tab: PE array at the cursor, unit states, unit × time utilisation with the
    /// cursor, the current layer's pipeline Gantt chart, counters and the live settings.
    func acceleratorTab(_ g: inout CellGrid, _ s: UIState, _ a: AcceleratorSnapshot?, _ r: Rect) {
        guard let a else { return waiting(&g, r, "Accelerator", "building the simulation…") }
        let (main, side) = splitSide(r, 32...40)
        let peH = max(6, min(main.height / 2, a.pe.rows / 2 + 2))
        let (top, bottom) = main.top(peH)
        let peW = min(top.width / 2, a.pe.cols + 2)
        let (peR, unitsR) = top.left(peW)
        // PE activity (half blocks: 2 PE rows per cell)
        g.box(peR, title: "SA-General \(a.pe.rows)×\(a.pe.cols)", glyphs: glyphs)
        let pe = a.pe
        Heatmap(rows: pe.rows, cols: pe.cols) { row, col in
            switch pe[row, col] { case .mac: return 1; case .loading: return 0.45; default: return 0 }
        }.render(into: &g, in: peR.inset(1), glyphs: glyphs, colour: colour)
        // Units at the cursor
        g.box(unitsR, title: "Units @ cycle \(a.cycle)", glyphs: glyphs)
        let ui = unitsR.inset(1)
        for (i, u) in a.units.enumerated() where i < ui.height {
            let role: ColorRole = u.state == "busy" ? .ok : (u.state.hasPrefix("stall") ? .warn : .inactive)
            var x = g.put(ui.x, ui.y + i, u.name.padding(toLength: 14, withPad: " ", startingAt: 0), fg: .fg, clip: ui)
            x = g.put(x, ui.y + i, u.state.padding(toLength: 10, withPad: " ", startingAt: 0), fg: role, clip: ui)
            x = g.put(x, ui.y + i, String(format: "%3.0f%% ", 100 * u.utilisation), fg: .inactive, clip: ui)
            g.put(x, ui.y + i, u.activity, fg: .fg, clip: ui)
        }
        // Unit × time utilisation with the cursor
        let tlH = min(bottom.height / 2, (a.timelineUnits.count + 1) / 2 + 3)
        let (tlR, ganttR) = bottom.top(max(4, tlH))
        let ti = tlR.inset(1)
        let labelW = 10
        let buckets = a.timeline.count, nUnits = a.timelineUnits.count
        let perColumn = Self.cyclesPerColumn(totalCycles: a.totalCycles, buckets: buckets, bucketCycles: a.bucketCycles,
                                             width: ti.width - labelW)
        g.box(tlR, title: "Utilisation: units × time (\(perColumn) cycles/column)", glyphs: glyphs)
        if buckets > 0 && ti.width > labelW + 2 {
            let hm = Rect(x: ti.x + labelW, y: ti.y, width: ti.width - labelW, height: ti.height)
            for row in 0..<min(ti.height, (nUnits + 1) / 2) {
                let names = [a.timelineUnits[2 * row]] + (2 * row + 1 < nUnits ? [a.timelineUnits[2 * row + 1]] : [])
                let short = names.map { n in String((n.split(separator: "[").first ?? Substring(n)).replacingOccurrences(of: "SA-General", with: "SA").replacingOccurrences(of: "SA-Diag", with: "Dg").prefix(4)) }
                g.put(ti.x, ti.y + row, short.joined(separator: "/"), fg: .inactive, clip: ti)
            }
            var heat = Heatmap(rows: nUnits, cols: buckets) { u, b in a.timeline[b][u] }
            heat.cursorCol = min(buckets - 1, a.cycle / max(1, a.bucketCycles))
            heat.render(into: &g, in: hm, glyphs: glyphs, colour: colour)
        }
        // Gantt of the current layer
        let busy = a.resimulating.map { String(format: "simulating… %.0f%% (Esc/:cancel cancels) ", 100 * a.resimulationProgress) + $0 + " │ " } ?? ""
        switch s.acceleratorView {
        case .layers: layerTable(&g, ganttR, a, busy: busy)
        case .units: unitTable(&g, ganttR, a, busy: busy)
        case .gantt:
            g.box(ganttR, title: busy + "Pipeline, layer \(a.layer) (\(a.attention)) · c: tables", glyphs: glyphs)
            gantt(&g, ganttR.inset(1), a)
        }
        // Counters and settings
        let (cR, pR) = side.top(min(side.height - 6, 12))
        g.box(cR, title: "Counters", glyphs: glyphs)
        let ci = cR.inset(1)
        let lat = Double(a.totalCycles) / (a.clockMHz * 1e6) * 1e6
        let lines = [
            "cycle \(a.cycle) / \(a.totalCycles)",
            String(format: "latency %.1f µs @ %.0f MHz", lat, a.clockMHz),
            String(format: "energy %.1f µJ (%@ %.1f µJ)", a.energyMicrojoules, a.otherAttention, a.otherEnergyMicrojoules),
            "\(a.otherAttention) \(a.otherCycles) cycles" + (a.sanger.map { ", sanger \($0.cycles)" } ?? ""),
            a.comparison,
            a.sangerComparison ?? "",
            a.sangerFigures ?? "",
            "busy PEs \(a.busyPEs) / \(a.pe.rows * a.pe.cols)",
            a.buffers.map { String(format: "%@ %.0f%%", String($0.name.prefix(4)), 100 * $0.fraction) }.joined(separator: " "),
            String(format: "DRAM %@ read, %@ written", Self.bytes(a.dramReadBytes), Self.bytes(a.dramWriteBytes)),
            a.breakpoints.isEmpty ? "no breakpoints" : "break: " + a.breakpoints.joined(separator: ", "),
        ]
        for (i, l) in lines.enumerated() where i < ci.height { g.put(ci.x, ci.y + i, KeyHelp.fit(l, width: ci.width), fg: .fg, clip: ci) }
        panel(&g, pR, title: "Simulator (live)", fields: a.settings, s)
    }

    /// Bytes in B, kB, MB or GB (decimal).
    static func bytes(_ n: Int) -> String {
        let v = Double(n)
        if v < 1e3 { return "\(n) B" }
        if v < 1e6 { return String(format: "%.1f kB", v / 1e3) }
        if v < 1e9 { return String(format: "%.1f MB", v / 1e6) }
        return String(format: "%.2f GB", v / 1e9)
    }

    /// Each layer's cycles: its span in the schedule (first task start to last task end).
    func layerTable(_ g: inout CellGrid, _ r: Rect, _ a: AcceleratorSnapshot, busy: String) {
        let inner = r.inset(1)
        let rows = a.layerCycles.map { l in
            [l.layer == a.layer ? "L\(l.layer) ◂" : "L\(l.layer)", String(l.start), String(l.end), String(l.cycles),
             String(format: "%.1f", 100 * Double(l.cycles) / Double(max(1, a.totalCycles)))]
        }
        // a window of the table around the cursor's layer when not all rows fit
        let room = max(0, inner.height - 1)
        let first = max(0, min(a.layer - room / 2, rows.count - room))
        let shown = rows.count > room ? " (L\(first)–L\(first + room - 1) of \(rows.count))" : ""
        g.box(r, title: busy + "Cycles per layer" + shown + " · c: next table", glyphs: glyphs)
        var t = Table(headers: ["layer", "start", "end", "cycles", "% of run"], rows: Array(rows.dropFirst(first)))
        t.highlight = a.layer - first
        t.render(into: &g, in: inner)
    }

    /// Per unit over the whole run: utilisation, mapping efficiency and energy; then the
    /// energy no unit owns.
    func unitTable(_ g: inout CellGrid, _ r: Rect, _ a: AcceleratorSnapshot, busy: String) {
        g.box(r, title: busy + "Units over the run (energy model: Vitality per-op costs) · c: Gantt", glyphs: glyphs)
        func pct(_ v: Double) -> String { v.isFinite ? String(format: "%.1f", 100 * v) : "–" }
        let rows = a.unitFigures.map { [$0.name, pct($0.utilisation), pct($0.mapping), String(format: "%.3f", $0.microjoules)] }
            + a.sharedEnergy.map { [$0.name, "–", "–", String(format: "%.3f", $0.microjoules)] }
        var t = Table(headers: ["unit", "util %", "map %", "energy µJ"], rows: rows)
        t.highlight = nil
        t.render(into: &g, in: r.inset(1))
    }

    /// Cycles one screen column of the utilisation heatmap covers: the heatmap squeezes
    /// `buckets` buckets into at most `width` columns.
    static func cyclesPerColumn(totalCycles: Int, buckets: Int, bucketCycles: Int, width: Int) -> Int {
        let columns = max(1, min(width, buckets))
        let covered = min(max(1, totalCycles), buckets * max(1, bucketCycles))
        return Int((Double(covered) / Double(columns)).rounded())
    }

    /// Gantt rows: heads in numeric order (H0, H1, H2, …, H10), then whole-layer rows.
    static func ganttRowOrder(_ names: [String]) -> [String] {
        Array(Set(names)).sorted { a, b in
            let ha = a.hasPrefix("H") ? Int(a.dropFirst()) : nil, hb = b.hasPrefix("H") ? Int(b.dropFirst()) : nil
            switch (ha, hb) {
            case let (x?, y?): return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a < b
            }
        }
    }

    func gantt(_ g: inout CellGrid, _ r: Rect, _ a: AcceleratorSnapshot) {
        guard r.width > 8, r.height > 1 else { return }
        let rows = Self.ganttRowOrder(a.gantt.map(\.row))
        let stages = Array(Set(a.gantt.map(\.stage))).sorted()
        let labelW = 6
        let w = r.width - labelW
        let lo = a.ganttRange.lowerBound, span = max(1, a.ganttRange.upperBound - lo)
        for (i, name) in rows.enumerated() where i < r.height - 1 {
            g.put(r.x, r.y + i, name, fg: .inactive, clip: r)
            for bar in a.gantt where bar.row == name {
                let x0 = labelW + (bar.start - lo) * w / span, x1 = max(x0 + 1, labelW + (bar.end - lo) * w / span)
                let si = stages.firstIndex(of: bar.stage) ?? 0
                for x in x0..<min(x1, r.width) {
                    g.put(r.x + x, r.y + i, glyphs.unicode ? "█" : String(Character(Unicode.Scalar(UInt8(65 + si % 26)))), fg: .series(si), clip: r)
                }
            }
        }
        if a.cycle >= lo && a.cycle <= lo + span {
            let cx = r.x + labelW + (a.cycle - lo) * w / span
            for y in r.y..<min(r.maxY - 1, r.y + rows.count) where cx < r.maxX { g[cx, y].attrs.insert(.reverse) }
        }
        // legend
        var x = r.x
        for (si, st) in stages.enumerated() {
            x = g.put(x, r.maxY - 1, glyphs.unicode ? "█" : String(Character(Unicode.Scalar(UInt8(65 + si % 26)))), fg: .series(si), clip: r)
            x = g.put(x, r.maxY - 1, st + " ", fg: .inactive, clip: r)
        }
    }
}
