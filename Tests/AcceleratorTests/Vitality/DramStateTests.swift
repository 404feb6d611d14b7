import Accelerator
import XCTest

/// The DRAM unit is busy for as long as one of its transfers runs, latency included.
final class DramStateTests: XCTestCase {
    func testDramIsBusyUntilTheLastStoreEnds() throws {
        let s = AcceleratorSimulation(workload: AcceleratorWorkload(model: .deitTiny, attention: .taylor))
        try s.prepare()
        let total = try XCTUnwrap(s.totalCycles)
        XCTAssertGreaterThan(s.hardware.dramLatencyCycles, 1)
        let dram = UnitID(.dram)
        let last = try XCTUnwrap((0..<s.graph.tasks.count).map { s.task($0) }.filter { $0.unit == dram }.max { ($0.end ?? 0) < ($1.end ?? 0) })
        XCTAssertEqual(last.end, total, "the run ends with a DRAM store")
        let end = try XCTUnwrap(last.end)
        for c in [end - s.hardware.dramLatencyCycles / 2, end - 1] {
            let u = s.unitSnapshot(dram, at: c)
            XCTAssertEqual(u.state, .busy, "cycle \(c): \(last.stage.rawValue) still running")
            XCTAssertEqual(u.task?.stage, last.stage)
        }
    }
}
