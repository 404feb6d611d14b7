import XCTest
import Sweep

/// `sim scalesim` points: figures from the report and COMPUTE_REPORT.csv; a Pareto front over
/// the metrics every point has (no energy here).
final class ScaleSimMetricsTests: XCTestCase {
    func testFiguresFromTheReportAndTheComputeReport() {
        let report = "run r: 2 layers on 16×32 (os), CALC-mode timing\ntotal cycles 400\n"
        let csv = "LayerID, Total Cycles (incl. prefetch), Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,\n"
            + "0, n/a, 100, 0, 50.0, 100.0, 40.0,\n1, n/a, 300, 5, 10.0, 20.0, 8.0,\n"
        let m = PointMetrics.scaleSimReport(report, computeReport: csv)
        XCTAssertEqual(m.map(\.0), ["latency_cycles", "stall_cycles", "overall_util", "mapping_efficiency", "compute_util", "layers", "area"])
        XCTAssertEqual(m.map(\.1), [400, 5, 20, 40, 16, 2, 512])
    }

    func testParetoOverLatencyAndArea() throws {
        let cmd = SweepCommand(name: "sim scalesim", keys: ["config", "topology"], options: .flags(booleans: []), layout: .reportOut,
                               seedFlag: nil, threads: false, extra: [], resumable: false)
        let s = try StudyParser.parse(bytes: Array("command: sim scalesim\naxes:\n  config: [a.cfg, b.cfg, c.cfg]\n".utf8), path: "s.yaml", commands: [cmd])
        var m = Manifest(study: s)
        for i in m.points.indices { m.points[i].state = .finished }
        let v: [(Double, Double)] = [(100, 512), (200, 256), (300, 512)]
        let rows = m.points.map { Collector.Row(entry: $0, metrics: [("latency_cycles", v[$0.index].0), ("area", v[$0.index].1)]) }
        let c = Collector(study: s, manifest: m, rows: rows)
        XCTAssertEqual(c.paretoKeys, ["latency_cycles", "area"])
        XCTAssertEqual(c.paretoRows.map(\.2), [true, true, false])
        XCTAssertEqual(c.paretoCSV.split(separator: "\n").first, "point,config,latency_cycles,area,on_front")
        XCTAssertTrue(c.paretoMarkdown.contains("| point | condition | latency (cycles) | area (PEs) | on front |"), c.paretoMarkdown)
        // the study's --config is the command's own flag here, not the sweep's
        XCTAssertEqual(s.points[1].options.map(\.1), ["b.cfg"])
    }
}
