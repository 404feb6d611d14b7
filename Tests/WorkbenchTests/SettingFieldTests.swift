import Workbench
import XCTest

/// The one live-setting type of the Distill, Attention and Accelerator panels: what it
/// says is allowed and what it refuses.
final class SettingFieldTests: XCTestCase {
    func testAllowedTextAndChecks() {
        let words = SettingField(name: "surgery", value: "asym", kind: .choice(["none", "sym", "asym"]), help: "")
        XCTAssertEqual(words.allowed, "none, sym, asym"); XCTAssertNil(words.numericValue)
        XCTAssertNil(words.check("sym"))
        XCTAssertEqual(words.check("pcgrad"), "surgery: must be one of none, sym, asym, got 'pcgrad'")

        let lanes = SettingField(name: "lanes", value: "64", kind: .number(min: 1, max: 512, integer: true, logScale: true), help: "")
        XCTAssertEqual(lanes.allowed, "1…512"); XCTAssertEqual(lanes.numericValue, 64)
        XCTAssertNil(lanes.check("512"))
        XCTAssertEqual(lanes.check("1.5"), "lanes: must be a whole number, got 1.5")
        XCTAssertEqual(lanes.check("513"), "lanes: must be in 1…512, got 513")

        let tau = SettingField(name: "sparse_threshold", value: "0.002", kind: .number(min: 0, max: 1, minInclusive: false, logScale: true), help: "")
        XCTAssertEqual(tau.allowed, "(0, 1]")
        XCTAssertEqual(tau.check("0"), "sparse_threshold: must be in (0, 1], got 0")
        XCTAssertEqual(tau.check("nan"), "sparse_threshold: 'nan' is not a number")
        XCTAssertNil(tau.check("1e-3"))

        let open = SettingField(name: "x", value: "3", kind: .number(min: 0, logScale: false), help: "")
        XCTAssertEqual(open.allowed, "[0, ∞)"); XCTAssertNil(open.check("1e9")); XCTAssertNotNil(open.check("-1"))
        let told = SettingField(name: "lr", value: "0.1", kind: .number(min: 0, max: 10, minInclusive: false, logScale: true), allowed: "(0, 10]", help: "")
        XCTAssertEqual(told.allowed, "(0, 10]")
    }
}
