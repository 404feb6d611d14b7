import Foundation
import Plot
import XCTest

final class FigureModelTests: XCTestCase {
    func testNiceTicks() {
        XCTAssertEqual(Ticks.linear(0, 1).ticks, [0, 0.25, 0.5, 0.75, 1])
        XCTAssertEqual(Ticks.linear(0.1, 0.96).ticks, [0, 0.25, 0.5, 0.75, 1])
        XCTAssertEqual(Ticks.linear(0.45, 0.97).ticks, [0.25, 0.5, 0.75, 1])
        let t = Ticks.linear(2000, 67327)
        XCTAssertEqual(t.ticks, [0, 25000, 50000, 75000])
        XCTAssertEqual(t.range, 0...75000)
        XCTAssertEqual(Ticks.linear(0, 9).ticks, [0, 2.5, 5, 7.5, 10])
        XCTAssertEqual(Ticks.linear(0, 17).ticks, [0, 5, 10, 15, 20])
        XCTAssertEqual(Ticks.linear(-1, 1).ticks, [-1, -0.5, 0, 0.5, 1])
        XCTAssertEqual(Ticks.linear(5, 5).ticks.count > 1, true)       // a flat series still gets an axis
        XCTAssertEqual(Ticks.nice(0.37, round: false), 0.5)
        XCTAssertEqual(Ticks.nice(7, round: true), 5)
        XCTAssertEqual(Ticks.label(0.25, step: 0.25), "0.25")
        XCTAssertEqual(Ticks.label(0.4, step: 0.2), "0.4")
        XCTAssertEqual(Ticks.label(40000, step: 20000), "40000")
        XCTAssertEqual(Ticks.label(50000, step: 25000), "50000")
        XCTAssertEqual(Ticks.label(2e6, step: 1e6), "2e6")
        XCTAssertEqual(Ticks.label(0, step: 0.5), "0")
    }

    /// Runs that differ only in seed are one group (mean line and ±std band); --group-by splits by one option.
    func testCurvesGroupBySeedlessOptions() throws {
        let runs = try GoldenImageTests.runs()
        let g = Curves.groups(runs, by: nil)
        XCTAssertEqual(g.map(\.label), ["optimizer=sgd", "optimizer=adam"])
        XCTAssertEqual(g.map { $0.runs.map(\.name) }, [["sgd-s1", "sgd-s2", "sgd-s3"], ["adam-s1", "adam-s2", "adam-s3"]])
        XCTAssertEqual(Curves.groups(runs, by: "seed").map(\.label), ["seed=1", "seed=2", "seed=3"])
        XCTAssertEqual(Curves.groups(Array(runs.prefix(3)), by: nil).map(\.label), ["mean of 3 seeds"])
        XCTAssertEqual(Curves.groups(Array(runs.prefix(1)), by: nil).map(\.label), ["sgd-s1"])
        let f = Curves.figure(runs, metric: "test accuracy", groupBy: nil)
        XCTAssertEqual(f.legend.map(\.label), ["optimizer=sgd (n=3)", "optimizer=adam (n=3)"])
        XCTAssertEqual(f.marks.filter { if case .band = $0 { return true }; return false }.count, 2)
        XCTAssertEqual(f.width, 3.4 * 72)
        XCTAssertEqual(Curves.figure(runs, metric: "m", groupBy: nil, size: .wide).width, 7.0 * 72)
    }

    func testMeanAndSampleStd() {
        let a = Curves.Run(name: "a", options: [:], epochs: [1, 2, 3], values: [0.5, 0.6, 0.7])
        let b = Curves.Run(name: "b", options: [:], epochs: [1, 2], values: [0.7, .nan])
        let m = Curves.meanStd([a, b])
        XCTAssertEqual(m.x, [1, 2])                       // the epochs both runs have
        XCTAssertEqual(m.mean[0], 0.6, accuracy: 1e-12)
        XCTAssertEqual(m.std[0], (0.02 as Double).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(m.mean[1], 0.6, accuracy: 1e-12)   // a non-finite value is left out
        XCTAssertEqual(m.std[1], 0)
    }

    func testMetricColumnAndErrors() throws {
        XCTAssertEqual(try Curves.read(run: Fixtures.data("runs/sgd-s1"), metric: "train_loss").values.count, 10)
        XCTAssertThrowsError(try Curves.read(run: Fixtures.data("runs/sgd-s1"), metric: "bleu")) { e in
            XCTAssertTrue("\(e)".hasSuffix("metrics.csv: --metric: no column 'bleu' (columns: step, epoch, train_loss, train_accuracy, test_loss, test_accuracy, lr, seconds, samples_per_second)"), "\(e)")
        }
        XCTAssertThrowsError(try SweepCharts.bars(summary: CSVTable.read(Fixtures.data("sweep/summary.csv")), metric: "f1")) { e in
            XCTAssertTrue("\(e)".hasSuffix("summary.csv: --metric: no rows for 'f1' (metrics: test_acc, train_loss)"), "\(e)")
        }
        XCTAssertThrowsError(try Timeline.read(Fixtures.data("sweep/pareto.csv"), attention: nil)) { e in
            XCTAssertTrue("\(e)".contains("not a timeline"), "\(e)")
        }
        XCTAssertThrowsError(try CSVTable.parse("a,b\n1,2\n3\n", file: "t.csv")) { e in XCTAssertEqual("\(e)", "t.csv:3: 1 fields, the header has 2") }
        XCTAssertEqual(try CSVTable.parse("a,\"b,c\"\r\n\"x \"\"y\"\"\",2\n", file: "q.csv").rows, [["x \"y\"", "2"]])
    }

    /// Bars carry the 95 % CI as error bars; the Pareto front is the on_front points in x order.
    func testSweepCharts() throws {
        let bars = try SweepCharts.bars(summary: CSVTable.read(Fixtures.data("sweep/summary.csv")), metric: "test_acc")
        XCTAssertEqual(bars.x.scale, .categories(["base-w0.5", "kd-w0.5", "netaug-w0.5", "base-w1.0", "kd-w1.0", "netaug-w1.0"]))
        guard case .bar(_, let h, _, _, let e?) = bars.marks[0] else { return XCTFail("\(bars.marks[0])") }
        XCTAssertEqual(h, 0.912)
        XCTAssertTrue(e.lowerBound < h && h < e.upperBound)
        let pareto = try SweepCharts.pareto(CSVTable.read(Fixtures.data("sweep/pareto.csv")))
        guard case .line(let front, _, _, _) = pareto.marks[1] else { return XCTFail() }
        XCTAssertEqual(front.count, 9)
        XCTAssertEqual(front.map(\.x), front.map(\.x).sorted())
    }

    /// Text is laid out at paper sizes: 8 pt ticks, 9 pt labels; the legend sits above the axes.
    func testSceneUsesPaperFontSizes() throws {
        let f = Curves.figure(try GoldenImageTests.runs(), metric: "test accuracy", groupBy: nil)
        let sizes = Set(f.scene().compactMap { p -> Double? in if case .text(_, _, let s, _, _, _) = p { return s }; return nil })
        XCTAssertEqual(sizes, [8, 9])
        let labels = f.scene().compactMap { p -> String? in if case .text(let s, _, _, _, _, _) = p { return s }; return nil }
        XCTAssertTrue(labels.contains("epoch") && labels.contains("test accuracy") && labels.contains("optimizer=adam (n=3)"))
    }
}
