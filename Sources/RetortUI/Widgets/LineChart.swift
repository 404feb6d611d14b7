import Foundation

/// A series to plot: buckets of (x, min, max, mean), e.g. from a downsampled series.
public struct ChartSeries: Sendable {
    public struct Point: Sendable { public var x: Double, min: Double, max: Double, mean: Double }
    public var name: String
    public var color: ColorRole
    public var points: [Point]
    /// The newest value (e.g. the last step's loss); when finite the legend shows it beside
    /// the mean of the newest bucket ("S 0.41 (avg 0.45)").
    public var latest: Double = .nan
    public init(name: String, color: ColorRole, points: [Point]) { self.name = name; self.color = color; self.points = points }
    public init(name: String, color: ColorRole, xy: [(Double, Double)]) {
        self.init(name: name, color: color, points: xy.map { Point(x: $0.0, min: $0.1, max: $0.1, mean: $0.1) })
    }
}

/// Line chart drawn with braille dots (2×4 per cell; ASCII '*' without UTF-8): axes,
/// tick labels, legend, auto-scaling, optional log-scale y, vertical markers (e.g. where a
/// hyperparameter changed). Each bucket draws its mean line plus its min–max span.
public struct LineChart {
    public var series: [ChartSeries]
    public var logY = false
    public var markers: [Double] = []
    /// The chart cursor's x (drawn as a reversed column), nil when off.
    public var cursor: Double? = nil
    public var yRange: ClosedRange<Double>? = nil     // fixed range, else auto
    public var xLabel = ""
    /// Tick label of an x value (default: the value itself), e.g. 2^x when x is log₂ n.
    public var xTickLabel: ((Double) -> String)? = nil
    public init(series: [ChartSeries]) { self.series = series }

    public func render(into g: inout CellGrid, in r: Rect, glyphs: Glyphs) {
        guard r.width >= 12 && r.height >= 4 else {
            if r.height >= 1 { g.put(r.x, r.y, "(too small)", fg: .inactive, clip: r) }
            return
        }
        // Legend (top row)
        var lx = r.x
        for s in series {
            let mean = s.points.last.map { String(format: "%.4g", $0.mean) }
            let last = s.latest.isFinite ? " " + String(format: "%.4g", s.latest) + (mean.map { " (avg \($0))" } ?? "") : mean.map { " " + $0 } ?? ""
            lx = g.put(lx, r.y, glyphs.unicode ? "━ " : "- ", fg: s.color, clip: r)
            lx = g.put(lx, r.y, s.name + last + "  ", fg: .fg, clip: r)
        }
        if logY { g.put(r.maxX - 5, r.y, "[log]", fg: .inactive, clip: r) }
        let all = series.flatMap(\.points)
        func ty(_ v: Double) -> Double? { logY ? (v > 0 ? log10(v) : nil) : (v.isFinite ? v : nil) }
        let ys = all.flatMap { [ty($0.min), ty($0.max)] }.compactMap { $0 }
        let labelW = 7
        let plot = Rect(x: r.x + labelW, y: r.y + 1, width: r.width - labelW, height: r.height - 3)
        guard plot.width >= 2 && plot.height >= 1 else { return }
        // axes
        for y in plot.y..<plot.maxY { g.put(plot.x - 1, y, glyphs.unicode ? "│" : "|", fg: .axis) }
        for x in plot.x..<plot.maxX { g.put(x, plot.maxY, glyphs.unicode ? "─" : "-", fg: .axis) }
        g.put(plot.x - 1, plot.maxY, glyphs.unicode ? "└" : "+", fg: .axis)
        guard !ys.isEmpty, let x0 = all.map(\.x).min(), let x1 = all.map(\.x).max() else {
            g.put(plot.x + 1, plot.y + plot.height / 2, "waiting for data…", fg: .inactive, clip: plot)
            return
        }
        var lo = yRange.flatMap { ty($0.lowerBound) } ?? ys.min()!, hi = yRange.flatMap { ty($0.upperBound) } ?? ys.max()!
        if hi - lo < 1e-12 { lo -= 0.5; hi += 0.5 } else if yRange == nil { let pad = (hi - lo) * 0.05; lo -= pad; hi += pad }
        let xspan = max(x1 - x0, 1e-12)
        // y tick labels
        for t in Ticks.nice(lo, hi, count: max(1, plot.height / 3)) {
            let row = plot.maxY - 1 - Int(((t - lo) / (hi - lo) * Double(plot.height - 1)).rounded())
            guard row >= plot.y && row < plot.maxY else { continue }
            let label = Ticks.label(logY ? pow(10, t) : t)
            g.put(plot.x - 1, row, glyphs.unicode ? "┤" : "+", fg: .axis)
            g.put(plot.x - 1 - min(labelW - 1, label.count), row, String(label.prefix(labelW - 1)), fg: .axis)
        }
        // x tick labels
        var lastEnd = plot.x - 1
        for t in Ticks.nice(x0, x1, count: max(1, plot.width / 12)) {
            let col = plot.x + Int(((t - x0) / xspan * Double(plot.width - 1)).rounded())
            let label = xTickLabel?(t) ?? Ticks.label(t)
            let start = min(col - label.count / 2, plot.maxX - label.count)
            if start > lastEnd && start >= plot.x - 1 { g.put(start, plot.maxY + 1, label, fg: .axis, clip: r); lastEnd = start + label.count }
        }
        if !xLabel.isEmpty && lastEnd + xLabel.count + 1 < r.maxX { g.put(r.maxX - xLabel.count, plot.maxY + 1, xLabel, fg: .inactive) }
        // markers
        for m in markers where m >= x0 && m <= x1 {
            let col = plot.x + Int(((m - x0) / xspan * Double(plot.width - 1)).rounded())
            for y in plot.y..<plot.maxY { g.put(col, y, String(glyphs.marker), fg: .warn) }
            g.put(col, plot.maxY, glyphs.unicode ? "▲" : "^", fg: .warn)
        }
        // dots
        let pw = plot.width * (glyphs.unicode ? 2 : 1), ph = plot.height * (glyphs.unicode ? 4 : 1)
        var canvas = BrailleCanvas(width: pw, height: ph)
        var owner = [Int](repeating: -1, count: plot.width * plot.height)
        func px(_ x: Double) -> Int { Int(((x - x0) / xspan * Double(pw - 1)).rounded()) }
        func py(_ v: Double) -> Int? { ty(v).map { ph - 1 - Int((($0 - lo) / (hi - lo) * Double(ph - 1)).rounded()) } }
        for (si, s) in series.enumerated() {
            var prev: (Int, Int)?
            for p in s.points {
                let x = px(p.x)
                if let a = py(p.min), let b = py(p.max), a != b { canvas.line(x, a, x, b) { owner[($1 / (ph / plot.height)) * plot.width + $0 / (pw / plot.width)] = si } }
                guard let y = py(p.mean) else { prev = nil; continue }
                if let (qx, qy) = prev { canvas.line(qx, qy, x, y) { owner[($1 / (ph / plot.height)) * plot.width + $0 / (pw / plot.width)] = si } }
                else { canvas.line(x, y, x, y) { owner[($1 / (ph / plot.height)) * plot.width + $0 / (pw / plot.width)] = si } }
                prev = (x, y)
            }
        }
        for cy in 0..<plot.height {
            for cx in 0..<plot.width {
                let o = owner[cy * plot.width + cx]
                guard o >= 0 else { continue }
                let ch: Character = glyphs.unicode ? canvas.brailleChar(cx, cy) : "*"
                g.put(plot.x + cx, plot.y + cy, String(ch), fg: series[o].color)
            }
        }
        if let c = cursor, c >= x0, c <= x1 {
            let col = plot.x + Int(((c - x0) / xspan * Double(plot.width - 1)).rounded())
            for y in plot.y..<plot.maxY { g[col, y].attrs.insert(.reverse) }
            g.put(col, plot.maxY, glyphs.unicode ? "▲" : "^", fg: .highlight, attrs: .bold)
        }
    }
}

/// A dot canvas packed into braille characters (U+2800 + bits; 2 columns × 4 rows per cell).
struct BrailleCanvas {
    let width: Int, height: Int
    private var bits: [UInt8]
    init(width: Int, height: Int) {
        self.width = width; self.height = height
        bits = Array(repeating: 0, count: ((width + 1) / 2) * ((height + 3) / 4))
    }
    private static let dot: [[UInt8]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
    mutating func set(_ x: Int, _ y: Int) {
        guard x >= 0 && x < width && y >= 0 && y < height else { return }
        bits[(y / 4) * ((width + 1) / 2) + x / 2] |= Self.dot[y % 4][x % 2]
    }
    /// Bresenham line; calls `touch(x, y)` for every dot set.
    mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ touch: (Int, Int) -> Void) {
        var x = x0, y = y0
        let dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        while true {
            if x >= 0 && x < width && y >= 0 && y < height { set(x, y); touch(x, y) }
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }
    func brailleChar(_ cx: Int, _ cy: Int) -> Character {
        Character(Unicode.Scalar(0x2800 + UInt32(bits[cy * ((width + 1) / 2) + cx]))!)
    }
}
