import Foundation

/// What a backend draws, in points from the figure's top-left corner: the figure model laid
/// out (`Figure.scene()`), with no knowledge of the output format.
public enum Primitive: Equatable, Sendable {
    public enum Anchor: Equatable, Sendable { case start, middle, end }
    /// A polyline (closed and filled when `fill` is given).
    case path([Pt], stroke: Color?, fill: Color?, width: Double, dashed: Bool)
    case circle(Pt, radius: Double, stroke: Color?, fill: Color?, width: Double)
    /// Text whose baseline starts, centres or ends at the point; `vertical` turns it 90° anticlockwise.
    case text(String, at: Pt, size: Double, anchor: Anchor, vertical: Bool, color: Color)
    /// Restricts what follows to a rectangle (nil lifts it).
    case clip(x: Double, y: Double, width: Double, height: Double)
    case unclip
}

public struct Pt: Equatable, Sendable {
    public var x, y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

/// The width of text in points, estimated from the font size (DejaVu Sans averages about
/// 0.58 em per character), so layout stays independent of the backend.
func textWidth(_ s: String, size: Double) -> Double { Double(s.count) * size * 0.58 }

extension Figure {
    /// The data range an axis covers: its given limits, else the marks' extent (bars from 0).
    func extent(horizontal: Bool) -> (Double, Double) {
        let axis = horizontal ? x : y
        if case .categories(let c) = axis.scale { return (-0.5, Double(max(1, c.count)) - 0.5) }
        var lo = Double.infinity, hi = -Double.infinity
        func add(_ v: Double) { if v.isFinite { lo = Swift.min(lo, v); hi = Swift.max(hi, v) } }
        for m in marks {
            switch m {
            case .line(let p, _, _, _): p.forEach { add(horizontal ? $0.x : $0.y) }
            case .dots(let p, _, _, _): p.forEach { add(horizontal ? $0.x : $0.y) }
            case .band(let xs, let l, let h, _): if horizontal { xs.forEach(add) } else { l.forEach(add); h.forEach(add) }
            case .bar(let bx, let height, let w, _, let e):
                if horizontal { add(bx - w / 2); add(bx + w / 2) } else { add(0); add(height); if let e { add(e.lowerBound); add(e.upperBound) } }
            case .rect(let x0, let x1, let y0, let y1, _): if horizontal { add(x0); add(x1) } else { add(y0); add(y1) }
            }
        }
        if case .linear(let a, let b) = axis.scale { if let a { lo = a }; if let b { hi = b } }
        return lo <= hi ? (lo, hi) : (0, 1)
    }

    /// Lays the figure out into primitives.
    public func scene() -> [Primitive] {
        var out: [Primitive] = []
        let tf = Style.tickFont, lf = Style.labelFont
        // ticks and their labels
        func ticks(_ axis: Axis, horizontal: Bool) -> (range: ClosedRange<Double>, at: [(Double, String)]) {
            let (lo, hi) = extent(horizontal: horizontal)
            if case .categories(let c) = axis.scale { return (lo...hi, c.enumerated().map { (Double($0.offset), $0.element) }) }
            if case .linear(let a?, let b?) = axis.scale {
                let t = Ticks.linear(a, b)
                return (a...b, t.ticks.filter { $0 >= a - 1e-9 && $0 <= b + 1e-9 }.map { ($0, Ticks.label($0, step: t.step)) })
            }
            let t = Ticks.linear(lo, hi)
            return (t.range, t.ticks.map { ($0, Ticks.label($0, step: t.step)) })
        }
        let xt = ticks(x, horizontal: true), yt = ticks(y, horizontal: false)
        // margins: y tick labels and label on the left, x tick labels and label below, legend on top
        let yLabelWidth = yt.at.map { textWidth($0.1, size: tf) }.max() ?? 0
        let left = 4 + (y.label.isEmpty ? 0 : lf + 4) + yLabelWidth + 4
        let xCategoryRotated: Bool = {
            guard case .categories(let c) = x.scale, !c.isEmpty else { return false }
            return c.map { textWidth($0, size: tf) }.max()! > (width - left - 12) / Double(c.count) - 2
        }()
        let xTickHeight = xCategoryRotated ? (xt.at.map { textWidth($0.1, size: tf) }.max() ?? 0) + 4 : tf + 4
        let bottom = 4 + xTickHeight + (x.label.isEmpty ? 0 : lf + 4) + 2
        let legendRows = legendLayout(maxWidth: width - left - 8)
        var top = 6.0 + (title == nil ? 0 : lf + 6) + Double(legendRows.count) * (tf + 4)
        if legendRows.isEmpty { top += 2 }
        // room for half the last x tick label past the axes' end
        let overhang = xCategoryRotated ? 0 : xt.at.last.map { textWidth($0.1, size: tf) / 2 + 2 } ?? 0
        let right = colorBar == nil ? max(8.0, overhang) : 8 + 8 + 4 + 26 + (colorBar!.label.isEmpty ? 0 : lf + 2)
        let px = left, py = top, pw = max(10, width - left - right), ph = max(10, height - top - bottom)
        func sx(_ v: Double) -> Double { px + (v - xt.range.lowerBound) / (xt.range.upperBound - xt.range.lowerBound) * pw }
        func sy(_ v: Double) -> Double { py + ph - (v - yt.range.lowerBound) / (yt.range.upperBound - yt.range.lowerBound) * ph }

        if let title { out.append(.text(title, at: Pt(px + pw / 2, 4 + lf), size: lf, anchor: .middle, vertical: false, color: .black)) }
        // grid
        if grid {
            for (v, _) in yt.at { out.append(.path([Pt(px, sy(v)), Pt(px + pw, sy(v))], stroke: .lightGrey, fill: nil, width: 0.4, dashed: false)) }
        }
        // marks, clipped to the axes
        out.append(.clip(x: px, y: py, width: pw, height: ph))
        for m in marks {
            switch m {
            case .band(let xs, let lo, let hi, let c):
                let n = min(xs.count, lo.count, hi.count)
                let ok = (0..<n).filter { xs[$0].isFinite && lo[$0].isFinite && hi[$0].isFinite }
                guard ok.count >= 2 else { continue }
                let poly = ok.map { Pt(sx(xs[$0]), sy(hi[$0])) } + ok.reversed().map { Pt(sx(xs[$0]), sy(lo[$0])) }
                out.append(.path(poly, stroke: nil, fill: c, width: 0, dashed: false))
            case .rect(let x0, let x1, let y0, let y1, let c):
                let a = Pt(sx(x0), sy(y0)), b = Pt(sx(x1), sy(y1))
                out.append(.path([a, Pt(b.x, a.y), b, Pt(a.x, b.y)], stroke: nil, fill: c, width: 0, dashed: false))
            case .bar(let bx, let h, let w, let c, let e):
                let a = Pt(sx(bx - w / 2), sy(0)), b = Pt(sx(bx + w / 2), sy(h))
                out.append(.path([a, Pt(b.x, a.y), b, Pt(a.x, b.y)], stroke: nil, fill: c, width: 0, dashed: false))
                if let e {
                    let cx = sx(bx), cap = (b.x - a.x) * 0.18
                    out.append(.path([Pt(cx, sy(e.lowerBound)), Pt(cx, sy(e.upperBound))], stroke: .black, fill: nil, width: 0.8, dashed: false))
                    for v in [e.lowerBound, e.upperBound] {
                        out.append(.path([Pt(cx - cap, sy(v)), Pt(cx + cap, sy(v))], stroke: .black, fill: nil, width: 0.8, dashed: false))
                    }
                }
            case .line(let pts, let c, let w, let dashed):
                var run: [Pt] = []
                for p in pts + [DataPoint(.nan, .nan)] {
                    if p.x.isFinite && p.y.isFinite { run.append(Pt(sx(p.x), sy(p.y))); continue }
                    if run.count >= 2 { out.append(.path(run, stroke: c, fill: nil, width: w, dashed: dashed)) }
                    run = []
                }
            case .dots(let pts, let c, let r, let hollow):
                for p in pts where p.x.isFinite && p.y.isFinite {
                    out.append(.circle(Pt(sx(p.x), sy(p.y)), radius: r, stroke: c, fill: hollow ? .white : c, width: 0.8))
                }
            }
        }
        out.append(.unclip)
        // axes frame (left and bottom), ticks, labels
        out.append(.path([Pt(px, py), Pt(px, py + ph), Pt(px + pw, py + ph)], stroke: .black, fill: nil, width: Style.axisWidth, dashed: false))
        for (v, s) in xt.at {
            let X = sx(v)
            out.append(.path([Pt(X, py + ph), Pt(X, py + ph + 3)], stroke: .black, fill: nil, width: Style.axisWidth, dashed: false))
            if xCategoryRotated {
                out.append(.text(s, at: Pt(X + tf * 0.35, py + ph + 5), size: tf, anchor: .end, vertical: true, color: .black))
            } else {
                out.append(.text(s, at: Pt(X, py + ph + 4 + tf), size: tf, anchor: .middle, vertical: false, color: .black))
            }
        }
        for (v, s) in yt.at {
            let Y = sy(v)
            out.append(.path([Pt(px - 3, Y), Pt(px, Y)], stroke: .black, fill: nil, width: Style.axisWidth, dashed: false))
            out.append(.text(s, at: Pt(px - 5, Y + tf * 0.35), size: tf, anchor: .end, vertical: false, color: .black))
        }
        if !x.label.isEmpty {
            out.append(.text(x.label, at: Pt(px + pw / 2, height - 5), size: lf, anchor: .middle, vertical: false, color: .black))
        }
        if !y.label.isEmpty {
            out.append(.text(y.label, at: Pt(4 + lf * 0.8, py + ph / 2), size: lf, anchor: .middle, vertical: true, color: .black))
        }
        // legend rows above the axes
        var ly = 6.0 + (title == nil ? 0 : lf + 6) + tf
        for row in legendRows {
            var lx = px
            for e in row {
                switch e.sample {
                case .line(let dashed):
                    out.append(.path([Pt(lx, ly - tf * 0.35), Pt(lx + 14, ly - tf * 0.35)], stroke: e.color, fill: nil, width: 1.5, dashed: dashed))
                case .box:
                    out.append(.path([Pt(lx + 2, ly - tf * 0.75), Pt(lx + 12, ly - tf * 0.75), Pt(lx + 12, ly), Pt(lx + 2, ly)],
                                     stroke: nil, fill: e.color, width: 0, dashed: false))
                case .dot:
                    out.append(.circle(Pt(lx + 7, ly - tf * 0.35), radius: 2.5, stroke: e.color, fill: e.color, width: 0.8))
                }
                out.append(.text(e.label, at: Pt(lx + 17, ly), size: tf, anchor: .start, vertical: false, color: .black))
                lx += Self.legendWidth(e)
            }
            ly += tf + 4
        }
        // colour bar
        if let cb = colorBar {
            let bx = px + pw + 8, bw = 8.0, steps = 48
            for i in 0..<steps {
                let y0 = py + ph - ph * Double(i) / Double(steps), y1 = py + ph - ph * Double(i + 1) / Double(steps) - 0.3
                out.append(.path([Pt(bx, y0), Pt(bx + bw, y0), Pt(bx + bw, y1), Pt(bx, y1)], stroke: nil,
                                 fill: Palette.sequential((Double(i) + 0.5) / Double(steps)), width: 0, dashed: false))
            }
            let t = Ticks.linear(cb.min, cb.max, count: 3)
            for v in t.ticks where v >= cb.min - 1e-9 && v <= cb.max + 1e-9 {
                let Y = py + ph - (v - cb.min) / max(1e-12, cb.max - cb.min) * ph
                out.append(.path([Pt(bx + bw, Y), Pt(bx + bw + 2, Y)], stroke: .black, fill: nil, width: Style.axisWidth, dashed: false))
                out.append(.text(Ticks.label(v, step: t.step), at: Pt(bx + bw + 4, Y + tf * 0.35), size: tf, anchor: .start, vertical: false, color: .black))
            }
            if !cb.label.isEmpty {
                out.append(.text(cb.label, at: Pt(width - 4, py + ph / 2), size: lf, anchor: .middle, vertical: true, color: .black))
            }
        }
        return out
    }

    static func legendWidth(_ e: LegendEntry) -> Double { 17 + textWidth(e.label, size: Style.tickFont) + 10 }

    /// Legend entries broken into rows that fit `maxWidth`.
    func legendLayout(maxWidth: Double) -> [[LegendEntry]] {
        var rows: [[LegendEntry]] = [], row: [LegendEntry] = [], used = 0.0
        for e in legend {
            let w = Self.legendWidth(e)
            if !row.isEmpty && used + w > maxWidth { rows.append(row); row = []; used = 0 }
            row.append(e); used += w
        }
        if !row.isEmpty { rows.append(row) }
        return rows
    }
}
