import Accelerator
import Foundation
import XCTest

/// v2-era SCALE-Sim configs (scale-sim-v2's configs/*.cfg): `Key: value`, no v3-only keys.
/// They are accepted with SCALE-Sim 3.0.0's defaults and one note naming the defaulted keys.
final class ScaleSimV2ConfigTests: XCTestCase {
    /// configs/accelerator/scalesim-v2/<name>.cfg of the repository.
    func v2File(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs/accelerator/scalesim-v2/\(name).cfg").path
    }

    static let allDefaulted = ["ReadRequestBuffer", "WriteRequestBuffer", "UseRamulatorTrace", "[layout]", "[sparsity]"]

    func testRealV2Files() throws {
        let expected: [(String, String, ArrayShape, Dataflow)] = [
            ("google", "GoogleTPU_v1_ws", ArrayShape(rows: 256, cols: 256), .weightStationary),
            ("scale", "scale_example_run_32x32_ws", ArrayShape(rows: 32, cols: 32), .weightStationary),
            ("eyeriss", "eyeriss", ArrayShape(rows: 12, cols: 14), .weightStationary),
        ]
        for (file, run, array, df) in expected {
            let c = try ScaleSimConfig.load(path: v2File(file))
            XCTAssertEqual(c.runName, run)
            XCTAssertEqual(c.array, array, file)
            XCTAssertEqual(c.dataflow, df)
            XCTAssertEqual(c.interfaceBandwidth, .calc)
            XCTAssertEqual(c.defaulted, Self.allDefaulted, file)
            XCTAssertEqual(c.notes, ["v2-era config: defaulted ReadRequestBuffer (60), WriteRequestBuffer (60), UseRamulatorTrace (False), "
                                     + "[layout] (no custom layouts, 10 banks × 2 ports of bandwidth 10), [sparsity] (SparsitySupport false); "
                                     + "ignored MemoryBanks (not read by SCALE-Sim 3.0.0)"], file)
        }
        // scale.cfg's values carry trailing blanks ("64 "), which configparser strips
        XCTAssertEqual(try ScaleSimConfig.load(path: v2File("scale")).sramKB.ifmap, 64)
    }

    func testCompleteV3FileHasNothingDefaulted() throws {
        let c = try ScaleSimConfig.parse(ScaleSimInputTests.validConfig, file: "v3.cfg")
        XCTAssertEqual(c.defaulted, [])
        XCTAssertEqual(c.notes, [])
    }

    func testOnlyTheMissingKeysAreNamed() throws {
        let t = ScaleSimInputTests.validConfig.replacingOccurrences(of: "WriteRequestBuffer : 512\n", with: "")
            .replacingOccurrences(of: "UseRamulatorTrace : False", with: "")
        let c = try ScaleSimConfig.parse(t, file: "x.cfg")
        XCTAssertEqual(c.defaulted, ["WriteRequestBuffer", "UseRamulatorTrace"])
        XCTAssertEqual(c.notes, ["v2-era config: defaulted WriteRequestBuffer (60), UseRamulatorTrace (False)"])
    }

    func testBadV2FilesAreStillRefused() throws {
        let google = try String(contentsOfFile: v2File("google"), encoding: .utf8)
        func error(_ text: String) -> InputFileError? {
            do { _ = try ScaleSimConfig.parse(text, file: "g.cfg"); return nil } catch let e as InputFileError { return e } catch { return nil }
        }
        XCTAssertEqual(error(google.replacingOccurrences(of: "Dataflow : ws", with: "Dataflow : rs"))?.field, "architecture_presets.Dataflow")
        XCTAssertEqual(error(google.replacingOccurrences(of: "ArrayWidth:     256", with: "ArrayWidth:"))?.field, "architecture_presets.ArrayWidth")
        XCTAssertEqual(error(google.replacingOccurrences(of: "InterfaceBandwidth: CALC", with: ""))?.field, "run_presets.InterfaceBandwidth")
        XCTAssertEqual(error(google.replacingOccurrences(of: "MemoryBanks: 1", with: "ReadRequestBuffer: 0"))?.field, "architecture_presets.ReadRequestBuffer")
        XCTAssertEqual(error(google.replacingOccurrences(of: "IfmapSramSzkB:    6144", with: "IfmapSramSzkB    6144"))?.line, 8)
    }
}
