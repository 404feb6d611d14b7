import Foundation
import Workbench
import XCTest

/// The Accelerator tab's job: re-simulation in slices, the layer at the cursor, breakpoints.
final class AcceleratorWorkbenchJobTests: XCTestCase {
    func snap(_ job: AcceleratorWorkbenchJob) -> AcceleratorSnapshot { job.snapshot(state: .paused, messages: [], elapsed: 0) }

    /// Runs pending re-simulation slices to the end; returns how many slices it took.
    @discardableResult
    func drain(_ job: AcceleratorWorkbenchJob) -> Int {
        var n = 0
        while job.continueBackgroundWork() { n += 1 }
        return n
    }

    func testReSimulationRunsInSlicesAndANewerSettingSupersedesIt() throws {
        let job = try AcceleratorWorkbenchJob()
        job.sliceSeconds = 0
        let total = snap(job).totalCycles
        let reply = try job.handle(.set(name: "linear", value: "on"))
        XCTAssertEqual(reply, "linear = on: re-simulating… (Esc or :cancel cancels)")
        // nothing was simulated yet: the old simulation is still shown, with the indicator
        XCTAssertEqual(snap(job).totalCycles, total)
        XCTAssertFalse(snap(job).includeLinear)
        XCTAssertEqual(snap(job).resimulating, "linear = on")
        XCTAssertTrue(job.continueBackgroundWork())
        XCTAssertTrue(job.continueBackgroundWork())
        XCTAssertEqual(snap(job).totalCycles, total, "one slice does not finish the simulation")
        // the panel shows the pending value; a newer setting replaces the pending run and keeps its settings
        XCTAssertEqual(snap(job).settings.first { $0.name == "linear" }?.value, "on")
        XCTAssertEqual(try job.handle(.set(name: "sa", value: "32")), "sa = 32: re-simulating (replaces the pending one)… (Esc or :cancel cancels)")
        XCTAssertEqual(snap(job).resimulating, "sa = 32")
        let slices = drain(job)
        XCTAssertGreaterThan(slices, 2)
        let done = snap(job)
        XCTAssertNil(done.resimulating)
        XCTAssertTrue(done.includeLinear)
        XCTAssertEqual(done.pe.rows, 32)
        XCTAssertGreaterThan(done.totalCycles, 0)
        let notes = job.takeNotes()
        XCTAssertEqual(notes.count, 1)
        XCTAssertTrue(notes[0].1.hasPrefix("sa = 32: re-simulated, \(done.totalCycles) cycles"), notes[0].1)
        XCTAssertFalse(job.continueBackgroundWork())
    }

    func testCancelKeepsTheShownSimulation() throws {
        let job = try AcceleratorWorkbenchJob()
        job.sliceSeconds = 0
        XCTAssertEqual(try job.handle(.set(name: "cancel", value: "")), "nothing to cancel: no re-simulation is running")
        _ = try job.handle(.set(name: "attention", value: "softmax"))
        XCTAssertTrue(job.continueBackgroundWork())
        XCTAssertEqual(try job.handle(.set(name: "cancel", value: "")), "attention = softmax: re-simulation cancelled; the simulation shown is unchanged")
        XCTAssertFalse(job.continueBackgroundWork())
        XCTAssertEqual(snap(job).attention, "taylor")
        XCTAssertNil(snap(job).resimulating)
        XCTAssertEqual(snap(job).settings.first { $0.name == "attention" }?.value, "taylor")
        // setting back to what is shown drops a pending run
        _ = try job.handle(.set(name: "attention", value: "softmax"))
        XCTAssertEqual(try job.handle(.set(name: "attention", value: "taylor")), "attention = taylor: back to the simulated settings (re-simulation dropped)")
        XCTAssertFalse(job.continueBackgroundWork())
    }

    /// The runner keeps reading commands while a re-simulation is pending.
    func testRunnerReadsCommandsDuringAReSimulation() throws {
        let job = try AcceleratorWorkbenchJob()
        job.sliceSeconds = 0
        let runner = JobRunner(job: job, startPaused: true)
        runner.start()
        runner.send(.set(name: "model", value: "deit-small"))
        runner.send(.set(name: "model", value: "mnist-vit"))
        var s = runner.snapshot
        for _ in 0..<3000 where !(s.model == "mnist-vit" && s.resimulating == nil) { Thread.sleep(forTimeInterval: 0.01); s = runner.snapshot }
        runner.send(.stop)
        runner.waitUntilDone()
        s = runner.snapshot
        XCTAssertEqual(s.model, "mnist-vit")
        XCTAssertNil(s.resimulating)
        let texts = s.messages.map(\.text)
        XCTAssertTrue(texts.contains("model = deit-small: re-simulating… (Esc or :cancel cancels)"), "\(texts)")
        XCTAssertTrue(texts.contains { $0.hasPrefix("model = mnist-vit: re-simulated, ") }, "\(texts)")
        XCTAssertFalse(texts.contains { $0.hasPrefix("model = deit-small: re-simulated") }, "superseded: \(texts)")
    }

    func testGanttLayerIsTheLayerAtTheCursor() throws {
        let job = try AcceleratorWorkbenchJob()
        _ = try job.handle(.set(name: "goto", value: "end"))
        let end = snap(job)
        XCTAssertEqual(end.layer, 11)
        XCTAssertEqual(Set(end.gantt.map(\.row)), ["H0", "H1", "H2"])
        _ = try job.handle(.set(name: "goto", value: "\(end.totalCycles - 60)"))
        XCTAssertEqual(snap(job).layer, 11)
        let dram = try XCTUnwrap(snap(job).units.first { $0.name.lowercased().hasPrefix("dram") })
        XCTAssertEqual(dram.state, "busy")
        XCTAssertTrue(dram.activity.hasPrefix("store-z L11"), dram.activity)
        _ = try job.handle(.set(name: "goto", value: "0"))
        XCTAssertEqual(snap(job).layer, 0)
    }

    func testBreakpointsAreCheckedAgainstTheModel() throws {
        let job = try AcceleratorWorkbenchJob()   // deit-tiny: 3 heads, 12 layers
        XCTAssertThrowsError(try job.handle(.set(name: "break", value: "q-g@H9"))) {
            XCTAssertEqual("\($0)", "break: head H9 out of range: deit-tiny has heads H0…H2")
        }
        XCTAssertThrowsError(try job.handle(.set(name: "break", value: "q-g@L99"))) {
            XCTAssertEqual("\($0)", "break: layer L99 out of range: deit-tiny has layers L0…L11")
        }
        XCTAssertEqual(try job.handle(.set(name: "break", value: "q-g@H2@L11")), "breakpoint q-g@H2@L11 set (1 active)")
    }

    func testComparisonStatesItsDirection() {
        XCTAssertEqual(taylorComparison(taylorCycles: 100, softmaxCycles: 232), "taylor 2.32× faster than softmax")
        XCTAssertEqual(taylorComparison(taylorCycles: 200, softmaxCycles: 100), "taylor 2.00× slower than softmax")
        XCTAssertEqual(taylorComparison(taylorCycles: 100, softmaxCycles: 100), "taylor as fast as softmax")
    }
}
