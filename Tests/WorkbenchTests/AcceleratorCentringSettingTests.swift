import Accelerator
import Foundation
import Workbench
import XCTest

/// The Accelerator tab's `centring` setting re-simulates Taylor with K centred over the head dimension.
final class AcceleratorCentringSettingTests: XCTestCase {
    func testCentringSettingReSimulatesTheHeadReading() throws {
        let job = try AcceleratorWorkbenchJob()
        job.sliceSeconds = 0
        func snap() -> AcceleratorSnapshot { job.snapshot(state: .paused, messages: [], elapsed: 0) }
        XCTAssertEqual(snap().settings.first { $0.name == "centring" }?.value, "tokens")
        XCTAssertEqual(try job.handle(.set(name: "centring", value: "head")), "centring = head: re-simulating… (Esc or :cancel cancels)")
        while job.continueBackgroundWork() {}
        XCTAssertEqual(job.centring, .head)
        XCTAssertEqual(snap().settings.first { $0.name == "centring" }?.value, "head")
        // the same cycles as the model run directly with head centring (and not those of tokens)
        let direct = try AcceleratorSimulation(workload: AcceleratorWorkload(model: .deitTiny, attention: .taylor, taylor: TaylorVariant(centring: .head)),
                                               config: .defaults()).report()
        let tokens = try AcceleratorSimulation(workload: AcceleratorWorkload(model: .deitTiny, attention: .taylor), config: .defaults()).report()
        XCTAssertEqual(snap().totalCycles, direct.totalCycles)
        XCTAssertNotEqual(direct.totalCycles, tokens.totalCycles)
        XCTAssertThrowsError(try job.handle(.set(name: "centring", value: "rows")))
    }
}
