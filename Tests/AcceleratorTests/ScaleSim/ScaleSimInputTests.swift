import Accelerator
import XCTest

/// SCALE-Sim .cfg (configparser semantics) and topology CSV parsing, incl. the one-line errors.
final class ScaleSimInputTests: XCTestCase {
    static let validConfig = """
    [general]
    run_name = gemm_run

    [architecture_presets]
    ArrayHeight : 16
    ArrayWidth : 8
    IfmapSramSzkB : 256
    FilterSramSzkB : 256
    OfmapSramSzkB : 128
    IfmapOffset : 0
    FilterOffset : 10000000
    OfmapOffset : 20000000
    Bandwidth : 10
    Dataflow : ws
    ReadRequestBuffer : 512
    WriteRequestBuffer : 512

    [layout]
    IfmapCustomLayout : False
    FilterCustomLayout : False
    IfmapSRAMBankBandwidth : 10
    IfmapSRAMBankNum : 1
    IfmapSRAMBankPort : 2
    FilterSRAMBankBandwidth : 10
    FilterSRAMBankNum : 1
    FilterSRAMBankPort : 2

    [sparsity]
    SparsitySupport : false

    [run_presets]
    InterfaceBandwidth : CALC
    UseRamulatorTrace : False
    """

    func parseError(_ text: String, file: String = "x.cfg") -> InputFileError? {
        do { _ = try ScaleSimConfig.parse(text, file: file); return nil }
        catch let e as InputFileError { return e } catch { XCTFail("\(error)"); return nil }
    }

    func testValidConfig() throws {
        let c = try ScaleSimConfig.parse(Self.validConfig, file: "a.cfg")
        XCTAssertEqual(c.runName, "gemm_run")
        XCTAssertEqual(c.array, ArrayShape(rows: 16, cols: 8))
        XCTAssertEqual(c.dataflow, .weightStationary)
        XCTAssertEqual(c.interfaceBandwidth, .calc)
        XCTAssertEqual(c.offsets.filter, 10_000_000)
        XCTAssertTrue(c.notes.isEmpty)
    }

    func testBothDelimitersCaseInsensitiveKeysAndComments() throws {
        let t = Self.validConfig
            .replacingOccurrences(of: "ArrayHeight : 16", with: "# rows of the array\n; also a comment\narrayheight=32")
            .replacingOccurrences(of: "Dataflow : ws", with: "DATAFLOW = is")
        let c = try ScaleSimConfig.parse(t, file: "a.cfg")
        XCTAssertEqual(c.array.rows, 32)
        XCTAssertEqual(c.dataflow, .inputStationary)
    }

    func testInlineCommentIsPartOfTheValue() {
        let t = Self.validConfig.replacingOccurrences(of: "ArrayWidth : 8", with: "ArrayWidth : 8   # columns")
        let e = parseError(t)
        XCTAssertEqual(e?.line, 6)
        XCTAssertEqual(e?.field, "architecture_presets.ArrayWidth")
        XCTAssertTrue(e!.description.hasPrefix("x.cfg:6: architecture_presets.ArrayWidth: '8   # columns' is not an integer"), e!.description)
        XCTAssertTrue(e!.description.contains("inline comments"))
        XCTAssertFalse(e!.description.contains("\n"), "one line")
    }

    func testConfigErrorsNameFileLineAndField() {
        let cases: [(String, Int?, String?)] = [
            (Self.validConfig.replacingOccurrences(of: "Dataflow : ws", with: "Dataflow : rs"), 14, "architecture_presets.Dataflow"),
            (Self.validConfig.replacingOccurrences(of: "ArrayHeight : 16\n", with: ""), 4, "architecture_presets.ArrayHeight"),
            (Self.validConfig.replacingOccurrences(of: "ArrayWidth : 8", with: "ArrayWidth : 0"), 6, "architecture_presets.ArrayWidth"),
            (Self.validConfig.replacingOccurrences(of: "IfmapOffset : 0", with: "IfmapOffset : 0\nifmapoffset = 3"), 11, "architecture_presets.ifmapoffset"),
            (Self.validConfig.replacingOccurrences(of: "InterfaceBandwidth : CALC", with: "InterfaceBandwidth : FAST"), 32, "run_presets.InterfaceBandwidth"),
            (Self.validConfig.replacingOccurrences(of: "SparsitySupport : false", with: "SparsitySupport : true"), 29, "sparsity.SparsitySupport"),
            (Self.validConfig.replacingOccurrences(of: "IfmapCustomLayout : False", with: "IfmapCustomLayout : maybe"), 19, "layout.IfmapCustomLayout"),
            ("run_name = x\n" + Self.validConfig, 1, nil),
            (Self.validConfig.replacingOccurrences(of: "Bandwidth : 10\n", with: "Bandwidth 10\n"), 13, nil),
        ]
        for (text, line, field) in cases {
            guard let e = parseError(text) else { XCTFail("expected an error for field \(field ?? "-")"); continue }
            XCTAssertEqual(e.line, line, e.description)
            XCTAssertEqual(e.field, field, e.description)
            XCTAssertTrue(e.description.hasPrefix("x.cfg:"), e.description)
        }
        XCTAssertEqual(parseError(Self.validConfig.replacingOccurrences(of: "[general]\nrun_name = gemm_run\n", with: ""))?.field, "[general]")
        XCTAssertEqual(parseError(Self.validConfig + "\n[layout]\nX : 1\n")?.field, "[layout]")
    }

    func testContinuationLinesAndMissingOptionalSections() throws {
        // An indented line continues the previous value (configparser); here it breaks the integer.
        let t = Self.validConfig.replacingOccurrences(of: "ArrayWidth : 8", with: "ArrayWidth : 8\n    16")
        XCTAssertEqual(parseError(t)?.field, "architecture_presets.ArrayWidth")
        // v2-style configs without [layout]/[sparsity] are accepted with notes.
        var v2 = Self.validConfig
        v2 = v2.replacingOccurrences(of: v2[v2.range(of: "[layout]")!.lowerBound..<v2.range(of: "[run_presets]")!.lowerBound], with: "")
        let c = try ScaleSimConfig.parse(v2, file: "v2.cfg")
        XCTAssertEqual(c.notes.count, 1, "one line names every defaulted key")
        let user = Self.validConfig.replacingOccurrences(of: "InterfaceBandwidth : CALC", with: "InterfaceBandwidth : USER")
        XCTAssertEqual(try ScaleSimConfig.parse(user, file: "u.cfg").bandwidths, [10])
    }

    // MARK: topology

    func topoError(_ text: String, gemm: Bool) -> InputFileError? {
        do { _ = try ScaleSimTopology.parse(text, file: "t.csv", gemm: gemm); return nil }
        catch let e as InputFileError { return e } catch { XCTFail("\(error)"); return nil }
    }

    func testGemmTopologyOrderIsMNK() throws {
        let l = try ScaleSimTopology.parse("Layer, M, N, K,\nqk, 197, 197, 64,\n\nqg, 197, 64, 64, 1:1,\n", file: "t.csv", gemm: true)
        XCTAssertEqual(l.map(\.gemm), [GemmShape(m: 197, k: 64, n: 197), GemmShape(m: 197, k: 64, n: 64)])
        XCTAssertEqual(l[1].line, 4)
        XCTAssertEqual(l[1].sparsity, "1:1")
    }

    func testConvLoweringAndDepthwise() throws {
        let t = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
            + "c1, 7, 9, 3, 2, 4, 5, 2,\nDP2, 5, 5, 3, 3, 3, 1, 1,\n"
        let l = try ScaleSimTopology.parse(t, file: "t.csv", gemm: false)
        // out = ceil((7−3+2)/2) × ceil((9−2+2)/2) = 3 × 5
        XCTAssertEqual(l[0].gemm, GemmShape(m: 15, k: 24, n: 5))
        XCTAssertEqual(l.count, 4)
        XCTAssertEqual(l[1...].map(\.name), ["DP2Channel_0", "DP2Channel_1", "DP2Channel_2"])
        XCTAssertEqual(l[1].gemm, GemmShape(m: 9, k: 9, n: 1))
    }

    func testTopologyErrorsNameFileLineAndField() {
        let h = "Layer, M, N, K,\n"
        var e = topoError(h + "qk, 197, 197, 64\n", gemm: true)
        XCTAssertEqual(e?.line, 2); XCTAssertTrue(e!.description.contains("trailing comma"), e!.description)
        e = topoError(h + "ok, 1, 2, 3,\nqk, 197, x, 64,\n", gemm: true)
        XCTAssertEqual(e?.description, "t.csv:3: N: 'x' is not an integer")
        e = topoError(h + "qk, 197, 197,\n", gemm: true)
        XCTAssertEqual(e?.field, "K"); XCTAssertEqual(e?.line, 2)
        e = topoError(h + "qk, 197, 0, 64,\n", gemm: true)
        XCTAssertEqual(e?.description, "t.csv:2: N: must be positive, got 0")
        e = topoError(h + "qk, 1, 2, 3, 5:4,\n", gemm: true)
        XCTAssertEqual(e?.field, "N:M sparsity")
        let c = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
        e = topoError(c + "c1, 3, 9, 5, 2, 4, 5, 1,\n", gemm: false)
        XCTAssertEqual(e?.field, "Filter Height"); XCTAssertEqual(e?.line, 2)
        e = topoError(c + "c1, 7, 9, 3, 2, 4, 5,\n", gemm: false)
        XCTAssertEqual(e?.field, "Strides")
        XCTAssertNotNil(topoError("Layer, M, N, K,\n", gemm: true), "no layers")
    }
}
