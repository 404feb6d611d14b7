import Accelerator
import XCTest

/// What other tools write: every accelerator input read with a UTF-8 byte-order mark, CRLF
/// line ends and trailing blanks gives the same result as the clean file.
final class OtherToolsInputTests: XCTestCase {
    /// `text` as a Windows editor saves it: BOM, CRLF, a space and a tab at every line's end.
    static func fromOtherTool(_ text: String) -> String {
        "\u{FEFF}" + text.split(separator: "\n", omittingEmptySubsequences: false).map { $0 + " \t" }.joined(separator: "\r\n")
    }

    func testScaleSimConfig() throws {
        let clean = try ScaleSimConfig.parse(ScaleSimInputTests.validConfig, file: "c.cfg")
        let crlf = try ScaleSimConfig.parse(Self.fromOtherTool(ScaleSimInputTests.validConfig), file: "c.cfg")
        XCTAssertEqual(crlf, clean)
        XCTAssertEqual(crlf.runName, "gemm_run")
        XCTAssertEqual(crlf.array, ArrayShape(rows: 16, cols: 8))
    }

    func testConfigLineNumbersStayRight() {
        let bad = Self.fromOtherTool(ScaleSimInputTests.validConfig.replacingOccurrences(of: "Dataflow : ws", with: "Dataflow : rs"))
        XCTAssertThrowsError(try ScaleSimConfig.parse(bad, file: "c.cfg")) {
            let e = $0 as? InputFileError
            XCTAssertEqual(e?.line, 14, "\($0)")
            XCTAssertEqual(e?.description.hasSuffix("'rs' is not one of os, ws, is"), true, "\($0)")
        }
    }

    func testGemmTopology() throws {
        let text = "Layer, M, N, K,\nqk, 197, 197, 64,\n\nqg, 197, 64, 64, 1:1,\n"
        let clean = try ScaleSimTopology.parse(text, file: "t.csv", gemm: true)
        let crlf = try ScaleSimTopology.parse(Self.fromOtherTool(text), file: "t.csv", gemm: true)
        XCTAssertEqual(crlf, clean)
        XCTAssertEqual(crlf.count, 2)
        XCTAssertEqual(crlf[1].line, 4)
    }

    func testConvTopology() throws {
        let text = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
            + "c1, 7, 9, 3, 2, 4, 5, 2,\nDP2, 5, 5, 3, 3, 3, 1, 1,\n"
        let clean = try ScaleSimTopology.parse(text, file: "t.csv", gemm: false)
        let crlf = try ScaleSimTopology.parse(Self.fromOtherTool(text), file: "t.csv", gemm: false)
        XCTAssertEqual(crlf, clean)
        XCTAssertEqual(crlf.count, 4)
    }

    func testCRLFTopologyIsNotReadAsAHeaderOnly() throws {
        // the issue: a Windows topology was refused as "no layers (the first line is the header)"
        let l = try ScaleSimTopology.parse("Layer, M, N, K,\r\nqkv, 197, 576, 192,\r\n", file: "t.csv", gemm: true)
        XCTAssertEqual(l.map(\.gemm), [GemmShape(m: 197, k: 192, n: 576)])
    }

    func testAcceleratorConfigJSON() throws {
        let clean = try VitalityConfig.parse(VitalityConfig.defaultJSON, file: "d.json", base: nil)
        let crlf = try VitalityConfig.parse(Self.fromOtherTool(VitalityConfig.defaultJSON), file: "d.json", base: nil)
        XCTAssertEqual(crlf, clean)
        let override = try VitalityConfig.parse(Self.fromOtherTool("{\n  \"hardware\": {\"sa_rows\": 32}\n}\n"), file: "o.json", base: .defaults())
        XCTAssertEqual(override.hardware.saRows, 32)
    }
}
