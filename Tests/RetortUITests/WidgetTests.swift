import Foundation
import RetortUI
import XCTest

/// Widgets render into a cell grid: checked as text and colour roles, no terminal needed.
final class WidgetTests: XCTestCase {
    func testLineChartDrawsAxesTicksLegendAndBrailleDots() {
        var g = CellGrid(width: 40, height: 12)
        let s = ChartSeries(name: "loss", color: .series(0), xy: (0..<50).map { (Double($0), 2.0 - Double($0) / 50) })
        var chart = LineChart(series: [s]); chart.markers = [25]
        chart.render(into: &g, in: g.bounds, glyphs: .unicodeSet)
        XCTAssertTrue(g.row(0).hasPrefix("━ loss 1.02 "), g.text)
        XCTAssertTrue(g.contains("┤"), "y ticks")
        XCTAssertTrue(g.contains("└──"), "x axis")
        let braille = g.cells.filter { ("\u{2801}"..."\u{28FF}").contains(String($0.char)) }
        XCTAssertGreaterThan(braille.count, 20)
        XCTAssertTrue(braille.allSatisfy { $0.fg == .series(0) })
        XCTAssertTrue(g.contains("┆"), "hyperparameter-change marker")
        // decreasing line: dots in the left part are higher than in the right part
        func firstRow(_ x: Int) -> Int? { (0..<g.height).first { ("\u{2801}"..."\u{28FF}").contains(String(g[x, $0].char)) } }
        XCTAssertLessThan(firstRow(9)!, firstRow(38)!)
    }

    func testLineChartASCIIFallbackAndLogScale() {
        var g = CellGrid(width: 40, height: 10)
        var chart = LineChart(series: [ChartSeries(name: "l", color: .series(1), xy: [(0, 1000), (1, 100), (2, 10), (3, 1)])])
        chart.logY = true
        chart.render(into: &g, in: g.bounds, glyphs: .asciiSet)
        XCTAssertTrue(g.contains("[log]"))
        XCTAssertTrue(g.contains("*"))
        XCTAssertFalse(g.cells.contains { $0.char.unicodeScalars.first!.value > 127 }, g.text)
        XCTAssertTrue(g.contains("1000") || g.contains("100"), g.text)
    }

    func testLineChartWithoutDataSaysSo() {
        var g = CellGrid(width: 40, height: 10)
        LineChart(series: [ChartSeries(name: "x", color: .series(0), points: [])]).render(into: &g, in: g.bounds, glyphs: .unicodeSet)
        XCTAssertTrue(g.contains("waiting for data"))
    }

    func testHistogramBinsAndColoursBySign() {
        let counts = Histogram.bin([-0.9, -0.5, 0.1, 0.2, 0.25, 0.3, 0.9], bins: 4, range: -1...1)
        XCTAssertEqual(counts, [1, 1, 4, 1])
        var h = Histogram(counts: counts, range: -1...1); h.split = 0
        var g = CellGrid(width: 8, height: 5)
        h.render(into: &g, in: g.bounds, glyphs: .unicodeSet)
        XCTAssertEqual(g[4, 0].char, "█", g.text)         // the tallest bin fills its column
        XCTAssertEqual(g[4, 0].fg, .series(0))
        XCTAssertEqual(g[0, 3].fg, .series(1))           // negative side
        XCTAssertTrue(g.row(4).hasPrefix("-1"))
    }

    func testHistogramColoursBarsOutsideABand() {
        var h = Histogram(counts: [1, 2, 3, 4, 4, 3, 2, 1], range: -4...4)
        h.inside = -1..<1; h.negative = .warn
        var g = CellGrid(width: 16, height: 6)
        h.render(into: &g, in: g.bounds, glyphs: .unicodeSet)
        // columns 0–5 are bins [−4, −1) → outside; 6–9 inside; 10–15 outside
        XCTAssertEqual(g[1, 4].fg, .warn, g.text); XCTAssertEqual(g[7, 4].fg, .series(0)); XCTAssertEqual(g[14, 4].fg, .warn)
        XCTAssertTrue(g.row(5).hasPrefix("-4"), g.text)
        XCTAssertTrue(g.row(5).contains("-1") && g.row(5).contains("1"), g.text)
    }

    func testLineChartCustomXTickLabels() {
        var g = CellGrid(width: 50, height: 10)
        var chart = LineChart(series: [ChartSeries(name: "ms", color: .series(0), xy: [(4, 1), (6, 4), (8, 16), (10, 64)])])
        chart.xTickLabel = { String(Int(pow(2, $0))) }
        chart.render(into: &g, in: g.bounds, glyphs: .unicodeSet)
        XCTAssertTrue(g.row(9).contains("256") && g.row(9).contains("1024"), g.text)
    }

    func testSparklineUsesEighthBlocks() {
        var g = CellGrid(width: 8, height: 1)
        Sparkline(values: [0, 1, 2, 3, 4, 5, 6, 7]).render(into: &g, in: g.bounds, glyphs: .unicodeSet)
        XCTAssertEqual(g.row(0), "▁▂▃▄▅▆▇█")
    }

    func testHeatmapHalfBlocksCarryTwoRowsPerCell() {
        var g = CellGrid(width: 4, height: 2)
        Heatmap(rows: 4, cols: 4) { r, _ in Double(r) / 3 }.render(into: &g, in: g.bounds, glyphs: .unicodeSet, colour: true)
        XCTAssertEqual(g[0, 0].char, "▀")
        XCTAssertEqual(g[0, 0].fg, .ramp(0))
        XCTAssertEqual(g[0, 0].bg, .ramp(5))
        XCTAssertEqual(g[0, 1].bg, .ramp(15))
        var mono = CellGrid(width: 4, height: 2)
        Heatmap(rows: 4, cols: 4) { r, _ in Double(r) / 3 }.render(into: &mono, in: mono.bounds, glyphs: .unicodeSet, colour: false)
        XCTAssertEqual(mono.row(1), "▓▓▓▓")
    }

    func testTableAlignsColumnsAndHighlights() {
        var g = CellGrid(width: 30, height: 3)
        var t = Table(headers: ["layer", "conflict %"], rows: [["fc1", "3.5"], ["classifier", "12.25"]])
        t.highlight = 1
        t.render(into: &g, in: g.bounds)
        XCTAssertEqual(g.row(0).trimmingCharacters(in: .whitespaces), "layer       conflict %")
        XCTAssertEqual(g.row(2).trimmingCharacters(in: .whitespaces), "classifier       12.25")
        XCTAssertEqual(g[0, 2].bg, .selectedBg)
    }

    func testBoxAndClipping() {
        var g = CellGrid(width: 10, height: 3)
        g.box(g.bounds, title: "a very long title", glyphs: .unicodeSet)
        XCTAssertEqual(g.row(0), "┌ a ver… ┐", "a cut title ends in an ellipsis")
        g.put(8, 1, "xyz")   // clipped at the grid edge
        XCTAssertEqual(g.row(1), "│       xy")
    }
}

final class HeatmapShapeTests: XCTestCase {
    /// Every grid size / data size combination renders (regression: a 64-row map in a
    /// 14-row area once produced an empty row band and never finished).
    func testAnySizeRenders() {
        for rows in [1, 2, 5, 64, 129] {
            for cols in [1, 3, 64, 400] {
                for (w, h) in [(1, 1), (38, 14), (7, 3), (80, 40)] {
                    var g = CellGrid(width: w, height: h)
                    var m = Heatmap(rows: rows, cols: cols) { r, c in Double((r + c) % 7) / 6 }
                    m.cursorCol = cols - 1
                    m.render(into: &g, in: g.bounds, glyphs: .unicodeSet, colour: true)
                    XCTAssertEqual(g[0, 0].char, "▀", "\(rows)×\(cols) in \(w)×\(h)")
                }
            }
        }
    }
}
