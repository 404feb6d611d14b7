import Distill
import XCTest

/// The CLI and the TUI spell surgery modes with these names; they must not drift.
final class SurgeryModeNamesTests: XCTestCase {
    func testNames() {
        XCTAssertEqual(SurgeryMode.allCases.map(\.rawValue), ["none", "sym", "asym", "drop"])
        XCTAssertEqual(SurgeryMode(rawValue: "asym"), .asymmetric)
        XCTAssertNil(SurgeryMode(rawValue: "pcgrad"))
    }
}
