import Accelerator
import XCTest

/// Retort's SCALE-Sim-compatible timing against real SCALE-Sim 3.0.0 runs (CALC mode).
final class ScaleSimAgreementTests: XCTestCase {
    struct Row { var set: String; var name: String; var gemm: GemmShape; var array: ArrayShape; var df: Dataflow
        var cycles: Int; var stalls: Int; var overall: Double; var mapping: Double; var compute: Double }

    func rows() throws -> [Row] {
        try Fixtures.csv("scalesim_gemm").map { r in
            Row(set: r["set"]!, name: r["name"]!,
                gemm: GemmShape(m: Int(r["M"]!)!, k: Int(r["K"]!)!, n: Int(r["N"]!)!),
                array: ArrayShape(rows: Int(r["rows"]!)!, cols: Int(r["cols"]!)!), df: Dataflow(scaleSim: r["dataflow"]!)!,
                cycles: Int(r["total_cycles"]!)!, stalls: Int(r["stall_cycles"]!)!, overall: Double(r["overall_util"]!)!,
                mapping: Double(r["mapping_eff"]!)!, compute: Double(r["compute_util"]!)!)
        }
    }

    func testFixtureCoverage() throws {
        let rs = try rows()
        XCTAssertGreaterThanOrEqual(Set(rs.map { "\($0.set)/\($0.name)" }).count, 200, "≥ 200 shapes")
        for df in Dataflow.allCases { XCTAssertTrue(rs.contains { $0.df == df }) }
        let deit = rs.filter { $0.set == "deit-tiny" }
        XCTAssertEqual(deit.count, 8 * 2 * 3, "DeiT-Tiny attention + linear GEMMs × 16²/32² × os/ws/is")
        // spot check against the spec's table (§8): Q·Kᵀ 197×64×197 on 16×16 OS = 15885
        XCTAssertEqual(deit.first { $0.name == "qk" && $0.array.rows == 16 && $0.df == .outputStationary }?.cycles, 15885)
    }

    /// Every fixture: Total Cycles exactly; the three percentages to floating-point rounding.
    func testClosedFormMatchesEveryRun() throws {
        var exactBits = 0, n = 0
        for r in try rows() {
            let ours = ScaleSimModel.run(r.gemm, on: r.array, dataflow: r.df)
            let tag = "\(r.name) \(r.gemm) on \(r.array) \(r.df.rawValue)"
            XCTAssertEqual(ours.totalCycles, r.cycles, tag)
            XCTAssertEqual(ours.stallCycles, r.stalls, tag)
            XCTAssertLessThanOrEqual(relDiff(ours.overallUtil, r.overall), 1e-12, tag)
            XCTAssertLessThanOrEqual(relDiff(ours.mappingEfficiency, r.mapping), 1e-12, tag)
            XCTAssertLessThanOrEqual(relDiff(ours.computeUtil, r.compute), 1e-12, tag)
            if ours.overallUtil == r.overall && ours.mappingEfficiency == r.mapping && ours.computeUtil == r.compute { exactBits += 1 }
            n += 1
        }
        // Summed in SCALE-Sim's fold order, so the percentages are bit-identical.
        XCTAssertEqual(exactBits, n)
    }

    /// The cycle-by-cycle demand-driven replay reaches the same cycle count and performs
    /// exactly M·K·N MACs on every fixture shape.
    func testDemandSimulationMatchesEveryRun() throws {
        for r in try rows() {
            let plan = FoldPlan(gemm: r.gemm, array: r.array, dataflow: r.df)
            let d = DemandSimulation(plan).run()
            let tag = "\(r.name) \(r.gemm) on \(r.array) \(r.df.rawValue)"
            XCTAssertEqual(d.totalCycles, r.cycles, tag)
            XCTAssertEqual(d.rows, r.cycles + 1, tag)
            XCTAssertEqual(d.macs, r.gemm.macs, tag)
            XCTAssertEqual(d.stallCycles, 0, tag)
            // every operand element is read once per fold that needs it; every output written once per reduction fold
            let p = plan
            let reductionFolds = r.df == .outputStationary ? 1 : p.rowFolds
            XCTAssertEqual(d.ofmapWrites, r.gemm.m * r.gemm.n * reductionFolds, tag)
        }
    }

    /// Trace-level agreement: every SRAM demand row (addresses per port and cycle stamps).
    func testDemandRowsMatchScaleSimTraces() throws {
        let obj = try JSONSerialization.jsonObject(with: Data(Fixtures.text("scalesim_traces", "json").utf8)) as! [String: Any]
        let cases = obj["cases"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 6)
        for c in cases {
            let g = GemmShape(m: c["M"] as! Int, k: c["K"] as! Int, n: c["N"] as! Int)
            let a = ArrayShape(rows: c["rows"] as! Int, cols: c["cols"] as! Int)
            let df = Dataflow(scaleSim: c["dataflow"] as! String)!
            let ifm = c["ifmap"] as! [[Int]], fil = c["filter"] as! [[Int]], ofm = c["ofmap"] as! [[Int]]
            var rows: [DemandRow] = []
            let res = DemandSimulation(FoldPlan(gemm: g, array: a, dataflow: df)).run { rows.append($0) }
            XCTAssertEqual(res.totalCycles, c["total_cycles"] as! Int)
            XCTAssertEqual(rows.count, ofm.count, "\(df)")
            for (i, r) in rows.enumerated() where i < ofm.count {
                XCTAssertEqual([r.cycle + 1] + r.ifmap, ifm[i], "\(g) \(df) ifmap row \(i)")
                XCTAssertEqual([r.cycle + 1] + r.filter, fil[i], "\(g) \(df) filter row \(i)")
                XCTAssertEqual([r.cycle] + r.ofmap, ofm[i], "\(g) \(df) ofmap row \(i)")
            }
        }
    }

    /// A conv topology (incl. a "DP" depthwise layer and an N:M field) read from SCALE-Sim's
    /// own input files, against SCALE-Sim's COMPUTE_REPORT for os/ws/is.
    func testConvTopologyMatchesScaleSim() throws {
        var cfg = try ScaleSimConfig.load(path: Fixtures.path("scalesim_conv", "cfg"))
        let layers = try ScaleSimTopology.load(path: Fixtures.path("scalesim_conv_topology", "csv"), gemm: false)
        XCTAssertEqual(layers.count, 8, "conv1, conv2, DPconv3 × 4 channels, pw4, fc5")
        XCTAssertEqual(layers[2].name, "DPconv3Channel_0")
        XCTAssertEqual(layers[1].gemm, GemmShape(m: 25, k: 72, n: 16), "stride 2: ceil((10−3+2)/2) = 5")
        let expected = try Fixtures.csv("scalesim_conv")
        for df in Dataflow.allCases {
            cfg.dataflow = df
            let exp = expected.filter { $0["dataflow"] == df.rawValue }
            XCTAssertEqual(exp.count, layers.count)
            for (i, l) in layers.enumerated() {
                let r = ScaleSimModel.run(l.gemm, on: cfg.array, dataflow: df)
                XCTAssertEqual(r.totalCycles, Int(exp[i]["total_cycles"]!)!, "\(df) \(l.name)")
                XCTAssertEqual(r.overallUtil, Double(exp[i]["overall_util"]!)!, "\(df) \(l.name)")
                XCTAssertEqual(r.mappingEfficiency, Double(exp[i]["mapping_eff"]!)!, "\(df) \(l.name)")
                XCTAssertEqual(r.computeUtil, Double(exp[i]["compute_util"]!)!, "\(df) \(l.name)")
            }
        }
    }

    func testComputeReportHasScaleSimColumns() {
        let r = ScaleSimModel.run(GemmShape(m: 197, k: 64, n: 197), on: ArrayShape(rows: 16, cols: 16), dataflow: .outputStationary)
        let csv = ComputeReport.csv([r])
        let lines = csv.split(separator: "\n")
        XCTAssertEqual(String(lines[0]), "LayerID, Total Cycles (incl. prefetch), Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,")
        let f = lines[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        XCTAssertEqual(f.count, 7)
        XCTAssertEqual(f[2], "15885")
        XCTAssertEqual(Double(f[4])!, r.overallUtil)
    }

    /// One demand row (1×1×1 on a 1×1 array, OS) is 1 cycle, not rows − 1 = 0 (SCALE-Sim would
    /// divide by zero); the closed form, the demand simulation and the functional array agree.
    func testASingleRowLayerTakesOneCycle() {
        let g = GemmShape(m: 1, k: 1, n: 1), a = ArrayShape(rows: 1, cols: 1)
        let plan = FoldPlan(gemm: g, array: a, dataflow: .outputStationary)
        let r = ScaleSimModel.run(plan)
        XCTAssertEqual(r.totalCycles, 1)
        XCTAssertEqual(r.overallUtil, 100)
        XCTAssertEqual(DemandSimulation(plan).run().totalCycles, 1)
        let f = FunctionalSystolicArray(array: a, dataflow: .outputStationary)
        XCTAssertEqual(f.multiply(Matrix.random(rows: 1, cols: 1, seed: 1), Matrix.random(rows: 1, cols: 1, seed: 2)).totalCycles, 1)
        XCTAssertEqual(f.expectedCycles(g), 1)
        // two rows or more: SCALE-Sim's rows − 1 as before
        XCTAssertEqual(ScaleSimModel.cycles(GemmShape(m: 1, k: 2, n: 1), on: a, dataflow: .outputStationary), 1)
        XCTAssertEqual(ScaleSimModel.cycles(g, on: a, dataflow: .weightStationary), 1)
        XCTAssertEqual(ScaleSimModel.cycles(g, on: ArrayShape(rows: 16, cols: 16), dataflow: .outputStationary), 30)
    }
}
