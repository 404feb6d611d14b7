import Accelerator
import XCTest

/// SCALE-Sim's config spells dataflows os / ws / is.
final class DataflowNamesTests: XCTestCase {
    func testNames() {
        XCTAssertEqual(Dataflow(rawValue: "os"), .outputStationary)
        XCTAssertEqual(Dataflow(rawValue: "ws"), .weightStationary)
        XCTAssertEqual(Dataflow(rawValue: "is"), .inputStationary)
        XCTAssertNil(Dataflow(rawValue: "rs"))
    }
}
