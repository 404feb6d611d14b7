import Accelerator
import XCTest

/// The stepping API the TUI codes against.
final class SteppingTests: XCTestCase {
    func sim(_ k: AttentionKind = .taylor, layers: Int = 1, model: ViTModel = .deitTiny) -> AcceleratorSimulation {
        AcceleratorSimulation(workload: AcceleratorWorkload(model: model, attention: k, layers: layers))
    }

    func testStepAndRunTo() throws {
        let s = sim()
        XCTAssertEqual(s.cycle, 0)
        XCTAssertEqual(s.step(), 1)
        XCTAssertEqual(s.step(99), 100)
        s.run(to: 2000)
        XCTAssertEqual(s.cycle, 2000)
        s.run(to: 50)                                 // backwards is allowed
        XCTAssertEqual(s.cycle, 50)
        XCTAssertEqual(s.snapshot().cycle, 50)
        s.runToEnd()
        XCTAssertEqual(s.cycle, s.totalCycles)
        XCTAssertTrue(s.isFinished)
        XCTAssertEqual(s.step(10), s.totalCycles, "clamped at the end")
        XCTAssertTrue(s.snapshot().units.allSatisfy { $0.state == .idle })
    }

    func testRunToNextEventVisitsEveryTransitionInOrder() throws {
        let s = sim()
        // transitions at cycle 0 are already in effect at the initial cursor
        var seen = s.transitions.filter { $0.cycle == 0 }.count, last = 0
        while true {
            let tr = s.runToNextEvent()
            if tr.isEmpty { break }
            XCTAssertGreaterThan(s.cycle, last)
            XCTAssertTrue(tr.allSatisfy { $0.cycle == s.cycle })
            last = s.cycle; seen += tr.count
        }
        XCTAssertEqual(seen, 2 * s.graph.tasks.count, "every start and end")
        XCTAssertEqual(s.cycle, s.totalCycles)
    }

    func testBreakpointsOnStageHeadLayer() throws {
        let s = sim(layers: 2)
        s.breakpoints = [Breakpoint(stage: .qgGemm, layer: 1, head: 2)]
        let hit = try XCTUnwrap(s.runUntilBreakpoint())
        XCTAssertEqual(hit.task.stage, .qgGemm); XCTAssertEqual(hit.task.layer, 1); XCTAssertEqual(hit.task.head, 2)
        XCTAssertEqual(s.cycle, hit.task.start)
        let u = s.unitSnapshot(UnitID(.saGeneral))
        XCTAssertEqual(u.state, .busy)
        XCTAssertEqual(u.task?.stage, .qgGemm)
        XCTAssertEqual(u.task?.head, 2)
        // an end breakpoint on any row division of layer 1
        s.breakpoints = [Breakpoint(stage: .rowDivide, layer: 1, edge: .end)]
        let end = try XCTUnwrap(s.runUntilBreakpoint())
        XCTAssertEqual(end.task.end, s.cycle)
        XCTAssertFalse(end.transition.isStart)
        s.breakpoints = [Breakpoint(stage: .exp)]            // never happens in Taylor mode
        XCTAssertNil(s.runUntilBreakpoint())
        XCTAssertTrue(s.isFinished)
    }

    /// Summing the PE activity map of SA-General over every cycle gives exactly the MACs the
    /// model charged to it: the map is the systolic wavefront of the tiles actually scheduled.
    func testPEActivityMapAccountsForEveryMAC() throws {
        let s = sim(model: .mnistViT)
        let r = try s.report()
        var macs = 0, maps = 0
        for c in 0..<r.totalCycles {
            macs += s.busyPEs(at: c)
            if c % 97 == 0 { XCTAssertEqual(s.peActivity(at: c).macCount, s.busyPEs(at: c)); maps += 1 }
        }
        XCTAssertEqual(macs, r.units.first { $0.unit == UnitID(.saGeneral) }!.ops.macs)
        var diag = 0
        for c in 0..<r.totalCycles { diag += s.busyPEs(diag: true, at: c) }
        XCTAssertEqual(diag, r.units.first { $0.unit == UnitID(.saDiag) }!.ops.macs)
        XCTAssertGreaterThan(maps, 0)
    }

    func testSnapshotContents() throws {
        let s = sim()
        s.breakpoints = [Breakpoint(stage: .kvGemm, head: 0)]
        _ = s.runUntilBreakpoint()
        s.step(100)                                           // 100 cycles into K̂ᵀV: first tile streaming
        let snap = s.snapshot()
        XCTAssertEqual(snap.saGeneral.count, 1)
        XCTAssertEqual(snap.saGeneral[0].rows, 64)
        XCTAssertGreaterThan(snap.saGeneral[0].macCount, 0)
        let sa = snap.units.first { $0.unit == UnitID(.saGeneral) }!
        XCTAssertEqual(sa.task?.stage, .kvGemm)
        XCTAssertNotNil(sa.progress)
        XCTAssertEqual(snap.buffers.map(\.buffer), BufferKind.allCases)
        XCTAssertGreaterThan(snap.buffers.first { $0.buffer == .input }!.usedBytes, 0, "Q/K/V resident")
        XCTAssertGreaterThan(snap.buffers.first { $0.buffer == .scratch }!.usedBytes, 0, "K̂ resident")
        // preload: the first cycles of the task show rows loading, no MACs
        let start = sa.task!.start!
        XCTAssertEqual(s.peActivity(at: start).macCount, 0)
        XCTAssertEqual(s.peActivity(at: start + 3).loadingCount, 4 * 64)
    }

    func testStallStatesAppear() throws {
        let s = sim(.softmax)
        let r = try s.report()
        // softmax: SA-General waits for the division between Q·Kᵀ and S·V
        let states = Set(s.segments(of: UnitID(.saGeneral)).map(\.state))
        XCTAssertTrue(states.contains(.busy))
        XCTAssertTrue(states.contains(.stallDependency) || states.contains(.stallBandwidth) || states.contains(.stallBuffer))
        XCTAssertEqual(r.units.first { $0.unit == UnitID(.exp) }!.ops.exps, 3 * 197 * 197)
    }

    func testLazyEngineAnswersBeforeTheEnd() {
        let s = AcceleratorSimulation(workload: AcceleratorWorkload(model: .deitBase, attention: .taylor))
        XCTAssertNil(s.totalCycles, "nothing scheduled beyond what was asked")
        s.step(500)
        XCTAssertNil(s.totalCycles)
        XCTAssertEqual(s.unitSnapshot(UnitID(.dram)).state, .busy, "loading Q/K/V of the first heads")
    }
}
