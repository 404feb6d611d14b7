import Accelerator
import XCTest

/// Absurd sizes are refused with one line naming the field and the limit, and sizes inside
/// the limits are answered by the closed form at once.
final class SizeLimitTests: XCTestCase {
    func topoError(_ text: String, gemm: Bool) -> InputFileError? {
        do { _ = try ScaleSimTopology.parse(text, file: "t.csv", gemm: gemm); return nil } catch { return error as? InputFileError }
    }

    func testAbsurdGemmIsRefusedNamingTheField() {
        let e = topoError("Layer, M, N, K,\nbig, 100000000000, 100000000000, 100000000000,\n", gemm: true)
        XCTAssertEqual(e?.description, "t.csv:2: M: must be at most 1048576, got 100000000000")
        XCTAssertEqual(topoError("Layer, M, N, K,\nbig, 4, 5, 1048577,\n", gemm: true)?.field, "K")
        XCTAssertNil(topoError("Layer, M, N, K,\nedge, 1048576, 1048576, 1048576,\n", gemm: true))
    }

    func testConvolutionLimitsAndItsLoweredGemm() {
        let h = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
        XCTAssertEqual(topoError(h + "c, 2000000, 8, 3, 3, 3, 8, 1,\n", gemm: false)?.description,
                       "t.csv:2: IFMAP Height: must be at most 1048576, got 2000000")
        // 2048 × 2048 output pixels: M = 4 194 304
        let e = topoError(h + "c, 2050, 2050, 3, 3, 3, 8, 1,\n", gemm: false)
        XCTAssertEqual(e?.field, "IFMAP Height")
        XCTAssertEqual(e?.message, "the layer's GEMM M = out_h·out_w = 4194304 must be at most 1048576")
        XCTAssertEqual(topoError(h + "c, 64, 64, 64, 64, 1000, 8, 1,\n", gemm: false)?.field, "Filter Height")
        // a depthwise row with a million channels would be a million layers
        let d = topoError(h + "DP, 8, 8, 3, 3, 1000000, 1, 1,\n", gemm: false)
        XCTAssertEqual(d?.field, "Channels")
        XCTAssertEqual(d?.message.hasPrefix("the topology has more than 16384 layers"), true)
    }

    func testScaleSimConfigLimits() {
        func err(_ old: String, _ new: String) -> String? {
            let text = ScaleSimInputTests.validConfig.replacingOccurrences(of: old, with: new)
            do { _ = try ScaleSimConfig.parse(text, file: "c.cfg"); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(err("ArrayHeight : 16", "ArrayHeight : 100000"), "c.cfg:5: architecture_presets.ArrayHeight: must be at most 4096, got 100000")
        XCTAssertEqual(err("ArrayWidth : 8", "ArrayWidth : 4097")?.contains("ArrayWidth: must be at most 4096"), true)
        XCTAssertEqual(err("IfmapSramSzkB : 256", "IfmapSramSzkB : 99999999999999")?.contains("IfmapSramSzkB: must be at most 1073741824"), true)
        XCTAssertEqual(err("OfmapOffset : 20000000", "OfmapOffset : 9000000000000000")?.contains("OfmapOffset: must be at most"), true)
        XCTAssertNil(err("ArrayHeight : 16", "ArrayHeight : 4096"))
    }

    func testAcceleratorConfigLimits() {
        func err(_ s: String) -> String? {
            do { _ = try VitalityConfig.parse(s, file: "o.json", base: .defaults()); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(err(#"{"hardware": {"sa_rows": 100000000000}}"#), "o.json: hardware.sa_rows: must be at most 4096, got 100000000000")
        XCTAssertEqual(err(#"{"hardware": {"sa_cols": 5000}}"#), "o.json: hardware.sa_cols: must be at most 4096, got 5000")
        XCTAssertEqual(err(#"{"hardware": {"sram_input_kb": 1e14}}"#), "o.json: hardware.sram_input_kb: must be at most 1073741824, got 100000000000000")
        XCTAssertEqual(err(#"{"hardware": {"chunks": 257}}"#), "o.json: hardware.chunks: must be at most 256, got 257")
        XCTAssertEqual(err(#"{"hardware": {"exp_latency": 2000000}}"#), "o.json: hardware.exp_latency: must be at most 1000000, got 2000000")
        XCTAssertNil(err(#"{"hardware": {"sa_rows": 4096, "chunks": 256}}"#))
    }

    func testPhysicalValuesHaveLowerAndUpperBounds() {
        func err(_ s: String) -> String? {
            do { _ = try VitalityConfig.parse(s, file: "o.json", base: .defaults()); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(err(#"{"hardware": {"clock_mhz": 1e-300}}"#), "o.json: hardware.clock_mhz: must be at least 1 (allowed 1…100000), got 1e-300")
        XCTAssertEqual(err(#"{"hardware": {"dram_gb_per_s": 0.001}}"#), "o.json: hardware.dram_gb_per_s: must be at least 0.1 (allowed 0.1…1000000), got 0.001")
        XCTAssertEqual(err(#"{"hardware": {"sram_weight_kb": 1e-9}}"#), "o.json: hardware.sram_weight_kb: must be at least 1 (allowed 1…1073741824), got 1e-09")
        XCTAssertEqual(err(#"{"energy_pj": {"mac": 1e300}}"#), "o.json: energy_pj.mac: must be at most 1000000, got 1e+300")
        XCTAssertNil(err(#"{"hardware": {"clock_mhz": 1, "dram_gb_per_s": 0.1, "sram_input_kb": 1}, "energy_pj": {"mac": 0}}"#))
        // the extremes the bounds allow still give finite results
        var c = VitalityConfig.defaults()
        c.hardware.clockMHz = SizeLimits.clockMHz; c.hardware.dramGBPerSecond = SizeLimits.minDramGBPerSecond
        XCTAssertGreaterThanOrEqual(c.hardware.dramBytesPerCycle, 1e-6)
    }

    func testDuplicateKeysInAnAcceleratorConfigAreRefusedNamingTheKey() {
        func err(_ s: String) -> String? {
            do { _ = try VitalityConfig.parse(s, file: "o.json", base: .defaults()); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(err("{\"hardware\": {\"chunks\": 2,\n \"chunks\": 4}}"), "o.json:2: hardware.chunks: duplicate key (each key may appear once)")
        XCTAssertEqual(err(#"{"hardware": {}, "hardware": {"chunks": 4}}"#), "o.json:1: hardware: duplicate key (each key may appear once)")
        XCTAssertNil(err(#"{"hardware": {"chunks": {"value": 2, "source": "a"}, "sa_rows": {"value": 16, "source": "b"}}}"#), "equal keys in sibling objects are fine")
    }

    func testLargestGemmIsAnsweredByTheClosedForm() {
        // 2^40 folds on a 1×1 array: summed fold by fold this would take hours
        let n = SizeLimits.gemmDimension
        let plan = FoldPlan(gemm: GemmShape(m: n, k: n, n: n), array: ArrayShape(rows: 1, cols: 1), dataflow: .outputStationary)
        let r = ScaleSimModel.run(plan)
        XCTAssertEqual(r.folds, n * n)
        XCTAssertEqual(r.totalCycles, n * n * n - 1)  // fold length T + R + C − 2 = K
        XCTAssertEqual(r.mappingEfficiency, 100)
        XCTAssertEqual(r.overallUtil, 100, accuracy: 1e-9)
        XCTAssertFalse(SizeLimits.demandSimulationFits(plan))
        XCTAssertFalse(SizeLimits.functionalFits(plan))
    }

    func testExactSumsAgreeWithTheFoldByFoldSums() {
        // just above the fold-by-fold limit, with ragged last folds in both directions
        for df in Dataflow.allCases {
            let plan = FoldPlan(gemm: GemmShape(m: 1000, k: 999, n: 1001), array: ArrayShape(rows: 7, cols: 6), dataflow: df)
            XCTAssertGreaterThan(plan.foldCount, ScaleSimModel.foldByFoldLimit)
            var mapping = 0.0, compute = 0.0
            ScaleSimModel.forEachFold(plan) { ru, cu in
                mapping += Double(ru * cu) / Double(plan.array.pes)
                compute += Double(ru * cu * plan.t) / Double(plan.array.pes * plan.computeUtilDenominator)
            }
            XCTAssertEqual(ScaleSimModel.mappingEfficiency(plan), mapping / Double(plan.foldCount) * 100, accuracy: 1e-9)
            XCTAssertEqual(ScaleSimModel.computeUtil(plan), compute / Double(plan.foldCount) * 100, accuracy: 1e-9)
        }
    }
}
