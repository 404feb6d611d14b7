/// Vertical-bar histogram with eighth-block resolution over a fixed x range; bars left of
/// `split` (e.g. 0 for cosine similarities) use `negative`, the rest `positive`; with
/// `inside`, bars outside that band use `negative` instead (e.g. logits outside [−1, 1)).
public struct Histogram {
    public var counts: [Double]
    public var range: ClosedRange<Double>
    public var split: Double? = nil
    public var inside: Range<Double>? = nil
    public var negative: ColorRole = .series(1)
    public var positive: ColorRole = .series(0)
    public init(counts: [Double], range: ClosedRange<Double>) { self.counts = counts; self.range = range }

    /// Bins `values` into `bins` equal bins over `range` (values outside are clamped to the ends).
    public static func bin(_ values: [Double], bins: Int, range: ClosedRange<Double>) -> [Double] {
        var c = [Double](repeating: 0, count: max(1, bins))
        let w = (range.upperBound - range.lowerBound) / Double(c.count)
        for v in values where v.isFinite {
            let i = Int(((v - range.lowerBound) / w).rounded(.down))
            c[min(c.count - 1, max(0, i))] += 1
        }
        return c
    }

    public func render(into g: inout CellGrid, in r: Rect, glyphs: Glyphs) {
        guard r.width >= 4 && r.height >= 2 else { return }
        let plotH = r.height - 1
        let peak = max(counts.max() ?? 0, 1e-12)
        let cols = r.width
        for cx in 0..<cols {
            // resample bins to columns
            let b = min(counts.count - 1, cx * counts.count / cols)
            let x = range.lowerBound + (Double(b) + 0.5) / Double(counts.count) * (range.upperBound - range.lowerBound)
            let outside = inside.map { !$0.contains(x) } ?? split.map { x < $0 } ?? false
            let role = outside ? negative : positive
            let eighths = Int((counts[b] / peak * Double(plotH * 8)).rounded())
            for row in 0..<plotH {
                let fill = min(8, max(0, eighths - row * 8))
                if fill > 0 { g.put(r.x + cx, r.maxY - 2 - row, String(glyphs.eighths[fill]), fg: role) }
            }
        }
        let lo = Ticks.label(range.lowerBound), hi = Ticks.label(range.upperBound)
        g.put(r.x, r.maxY - 1, lo, fg: .axis, clip: r)
        g.put(r.maxX - hi.count, r.maxY - 1, hi, fg: .axis, clip: r)
        let marks = inside.map { [$0.lowerBound, $0.upperBound] } ?? split.map { [$0] } ?? []
        for s in marks where s > range.lowerBound && s < range.upperBound {
            let col = r.x + Int((s - range.lowerBound) / (range.upperBound - range.lowerBound) * Double(cols))
            let lab = Ticks.label(s)
            if col - lab.count / 2 > r.x + lo.count && col + lab.count < r.maxX - hi.count { g.put(col - lab.count / 2, r.maxY - 1, lab, fg: .axis) }
        }
    }
}

/// One-row sparkline ` ▁▂▃▄▅▆▇█` of the last `width` values.
public struct Sparkline {
    public var values: [Double]
    public var color: ColorRole = .series(0)
    public init(values: [Double]) { self.values = values }
    public func render(into g: inout CellGrid, in r: Rect, glyphs: Glyphs) {
        guard r.width > 0 && r.height > 0 else { return }
        let v = Array(values.suffix(r.width)).filter(\.isFinite)
        guard let lo = v.min(), let hi = v.max() else { return }
        for (i, x) in v.enumerated() {
            let level = hi > lo ? Int(((x - lo) / (hi - lo) * 7).rounded()) + 1 : 4
            g.put(r.x + r.width - v.count + i, r.y, String(glyphs.eighths[level]), fg: color)
        }
    }
}

/// Heatmap with two values per cell (upper-half block: fg = top row, bg = bottom row),
/// coloured by the theme's ramp; without colours it falls back to density glyphs.
public struct Heatmap {
    public var rows: Int, cols: Int
    public var value: (Int, Int) -> Double      // (row, col) → 0…1 (NaN = empty)
    public var cursorCol: Int? = nil
    public init(rows: Int, cols: Int, value: @escaping (Int, Int) -> Double) { self.rows = rows; self.cols = cols; self.value = value }

    public func render(into g: inout CellGrid, in r: Rect, glyphs: Glyphs, colour: Bool) {
        guard r.width > 0 && r.height > 0, rows > 0, cols > 0 else { return }
        let w = min(r.width, cols), h = min(r.height, (rows + 1) / 2)
        func sample(_ row: Int, _ cx: Int) -> Double {
            guard row < rows else { return .nan }
            let c0 = cx * cols / w, c1 = max(c0 + 1, (cx + 1) * cols / w)
            var s = 0.0, n = 0.0
            for c in c0..<min(c1, cols) { let v = value(row, c); if v.isFinite { s += v; n += 1 } }
            return n > 0 ? s / n : .nan
        }
        func ramp(_ v: Double) -> ColorRole {
            v.isFinite ? .ramp(min(ColorRole.rampSteps - 1, max(0, Int(v * Double(ColorRole.rampSteps - 1) + 0.5)))) : .bg
        }
        for cy in 0..<h {
            for cx in 0..<w {
                // rows may exceed 2·h: average the row band
                let rowsPer = max(1, (rows + 2 * h - 1) / (2 * h))
                func band(_ k: Int) -> Double {
                    var s = 0.0, n = 0.0
                    let lo = k * rowsPer, hi = min(rows, (k + 1) * rowsPer)
                    guard lo < hi else { return .nan }
                    for rr in lo..<hi { let v = sample(rr, cx); if v.isFinite { s += v; n += 1 } }
                    return n > 0 ? s / n : .nan
                }
                let top = band(2 * cy), bottom = band(2 * cy + 1)
                if colour {
                    g.set(r.x + cx, r.y + cy, Cell(glyphs.half, fg: ramp(top), bg: ramp(bottom)))
                } else {
                    let v = [top, bottom].filter(\.isFinite)
                    let m = v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count)
                    g.set(r.x + cx, r.y + cy, Cell(glyphs.shades[min(4, Int(m * 4 + 0.5))]))
                }
            }
        }
        if let c = cursorCol, c >= 0, c < cols {
            let cx = r.x + c * w / cols
            for cy in 0..<h { g[cx, r.y + cy].attrs.insert(.reverse) }
        }
    }
}
