import RetortUI
import Workbench
import XCTest

/// Issue 15: the Accelerator tab shows Sanger as the third column of the comparison.
final class AcceleratorSangerTabTests: XCTestCase {
    func testCountersShowTheThreeWayComparison() throws {
        let a = try AcceleratorWorkbenchJob().snapshot(state: .paused, messages: [], elapsed: 0)
        let g = try XCTUnwrap(a.sanger)
        XCTAssertEqual(g.density, 0.2, accuracy: 0.01)
        XCTAssertGreaterThan(g.cycles, a.totalCycles, "Taylor beats Sanger at density 0.2")
        var s = UIState(); s.tab = .accelerator
        let text = Screen(glyphs: .unicodeSet, colour: true).render(s, training: nil, accelerator: a, width: 160, height: 50).text
        XCTAssertTrue(text.contains("softmax \(a.otherCycles) cycles, sanger \(g.cycles)"), text)
        XCTAssertTrue(text.contains("× faster than sanger"), text)
        XCTAssertTrue(text.contains(String(format: "sanger %.1f µJ, ρ 0.20, bal. 0.61", g.energyMicrojoules)), text)
    }
}
