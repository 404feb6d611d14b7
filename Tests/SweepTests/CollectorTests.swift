import XCTest
import Sweep

final class CollectorTests: XCTestCase {
    func collector() throws -> Collector {
        let study = try TestCommands.parse("name: c\ncommand: train\naxes:\n  method: [full, base]\nseeds: [1, 2, 3]\nbaseline: {method: base}\n")
        var m = Manifest(study: study)
        for i in m.points.indices { m.points[i].state = .finished }
        // full: acc 0.90 0.80 0.85, loss 1 2 3; base: acc 0.80 0.82 0.75, loss 2 2 2
        let acc = [0.90, 0.80, 0.85, 0.80, 0.82, 0.75], loss = [1.0, 2, 3, 2, 2, 2]
        let rows = m.points.map { Collector.Row(entry: $0, metrics: [("test_acc", acc[$0.index]), ("test_loss", loss[$0.index])]) }
        return Collector(study: study, manifest: m, rows: rows)
    }

    func testSummaryCSVContract() throws {
        let lines = try collector().summaryCSV.split(separator: "\n")
        XCTAssertEqual(lines[0], "condition,method,metric,n,mean,std,ci95_low,ci95_high")
        // full test_acc: mean 0.85, std 0.05, half-width 4.302653 · 0.05 / √3 = 0.124207
        let f = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(Array(f[0...3]), ["method=full", "full", "test_acc", "3"])
        XCTAssertEqual(Double(f[4])!, 0.85, accuracy: 1e-12)
        XCTAssertEqual(Double(f[5])!, 0.05, accuracy: 1e-12)
        XCTAssertEqual(Double(f[6])!, 0.85 - 0.124207, accuracy: 1e-5)
        XCTAssertEqual(Double(f[7])!, 0.85 + 0.124207, accuracy: 1e-5)
        XCTAssertEqual(lines.count, 5)
    }

    func testPairedDifferencesAndWins() throws {
        let p = try collector().paired
        XCTAssertEqual(p.count, 2)
        // acc diffs 0.10, -0.02, 0.10: mean 0.06, wins 2 of 3 (higher is better)
        XCTAssertEqual(p[0].metric, "test_acc")
        XCTAssertEqual(p[0].baseline, "method=base")
        XCTAssertEqual(p[0].diff.mean, 0.06, accuracy: 1e-12)
        XCTAssertEqual(p[0].diff.std!, (0.0096 / 2).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(p[0].wins, 2)
        // loss diffs -1, 0, 1: one win (lower is better)
        XCTAssertEqual(p[1].wins, 1)
        XCTAssertTrue(p[1].lowerIsBetter)
        XCTAssertTrue(try collector().pairedCSV.hasPrefix("condition,method,baseline,metric,n,mean_diff,std,ci95_low,ci95_high,wins,better\n"))
    }

    func testBestPerMetric() throws {
        let md = try collector().bestMarkdown
        XCTAssertTrue(md.contains("| test_acc | higher | method=full: 0.85 (n = 3) | p000 (method=full, seed 1): 0.9 |"), md)
        XCTAssertTrue(md.contains("| test_loss | lower | method=full: 2 (n = 3) | p000 (method=full, seed 1): 1 |"), md)
    }

    func testFinalEpochMetricsAndSimulatorReport() {
        let jsonl = """
        {"kind":"epoch","step":10,"epoch":1,"test_acc":0.5,"lr":0.1}
        {"kind":"step","step":11,"epoch":1,"loss":2}
        {"kind":"epoch","step":20,"epoch":2,"test_acc":0.75,"test_loss":0.5}

        """
        let m = PointMetrics.finalEpoch(jsonl)
        XCTAssertEqual(m.map(\.0), ["test_acc", "test_loss"])
        XCTAssertEqual(m.map(\.1), [0.75, 0.5])
        let report = """
        hardware: 2 chunks, SA-General 16×8, SA-Diag 16×1, lanes ACC/ADD/DIV/EXP 4/4/4/4, 500 MHz
        == taylor ==
        total cycles 1,234   latency 2.47 µs at 500 MHz   (10 tasks, scheduled in 0.001 s)
        energy (µJ): SA 0.100; total 0.250 µJ
        == softmax ==
        total cycles 5,000   latency 10 µs at 500 MHz   (10 tasks, scheduled in 0.001 s)
        energy (µJ): SA 0.400; total 0.900 µJ
        == Taylor vs softmax (same hardware) ==
        """
        let r = PointMetrics.simulatorReport(report)
        XCTAssertEqual(r.map(\.0), ["latency_cycles", "energy", "taylor.latency_cycles", "taylor.energy", "softmax.latency_cycles", "softmax.energy", "area"])
        XCTAssertEqual(r.map(\.1), [1234, 0.25, 1234, 0.25, 5000, 0.9, 2 * (16 * 8 + 16)])
    }

    func testParetoCSV() throws {
        let study = try TestCommands.parse("name: p\ncommand: sim vitality\naxes:\n  dim: [64, 128, 192]\n")
        var m = Manifest(study: study)
        for i in m.points.indices { m.points[i].state = .finished }
        let v: [[Double]] = [[10, 1, 5], [12, 2, 6], [8, 3, 5]]
        let rows = m.points.map { e in Collector.Row(entry: e, metrics: zip(Collector.paretoMetrics, v[e.index]).map { ($0, $1) }) }
        let csv = Collector(study: study, manifest: m, rows: rows).paretoCSV
        XCTAssertEqual(csv, "point,dim,latency_cycles,energy,area,on_front\np000,64,10,1,5,true\np001,128,12,2,6,false\np002,192,8,3,5,true\n")
    }
}
