import Foundation

/// Per-unit cycle accounting over a whole run.
public struct UnitReport: Sendable, Hashable {
    public var unit: UnitID
    public var busy: Int, stallDependency: Int, stallBandwidth: Int, stallBuffer: Int, idle: Int
    public var ops: OpCounts
    public var total: Int { busy + stallDependency + stallBandwidth + stallBuffer + idle }
    /// busy / total cycles.
    public var utilisation: Double { total > 0 ? Double(busy) / Double(total) : 0 }
}

public struct EnergyComponent: Sendable, Hashable {
    public var name: String
    public var picojoules: Double
}

/// The results of a finished run (spec vitality §5.3).
public struct AcceleratorReport: Sendable {
    public var workload: AcceleratorWorkload
    public var totalCycles: Int
    public var clockMHz: Double
    public var latencySeconds: Double { Double(totalCycles) / (clockMHz * 1e6) }
    public var units: [UnitReport]
    public var ops: OpCounts
    /// MACs on SA-General / (cycles · R · C · chunks).
    public var saGeneralMacUtilisation: Double
    public var energy: [EnergyComponent]
    public var totalEnergyPJ: Double { energy.reduce(0) { $0 + $1.picojoules } }
    /// Sum of task durations per stage (busy cycles of the unit running it).
    public var stageCycles: [Stage: Int]
    public var taskCount: Int

    /// Stall cycles over all compute units (not DRAM), by cause.
    public var stallTotals: (dependency: Int, bandwidth: Int, buffer: Int) {
        units.filter { $0.unit.kind != .dram }.reduce((0, 0, 0)) { ($0.0 + $1.stallDependency, $0.1 + $1.stallBandwidth, $0.2 + $1.stallBuffer) }
    }
}

extension AcceleratorSimulation {
    /// Runs the scheduler to the end (the cursor does not move) and summarises.
    public func report() throws -> AcceleratorReport {
        try prepare()
        let total = engine.finishedAt!
        var unitOps: [UnitID: OpCounts] = [:]
        var stage: [Stage: Int] = [:]
        for t in graph.tasks {
            unitOps[t.unit, default: OpCounts()] += t.ops
            stage[t.stage, default: 0] += engine.endTime[t.id] - engine.startTime[t.id]
        }
        var reports: [UnitReport] = []
        for (i, u) in graph.units.enumerated() {
            var acc = [Int](repeating: 0, count: UnitState.allCases.count)
            let segs = engine.segments[i]
            for (k, s) in segs.enumerated() where s.start < total {
                let end = k + 1 < segs.count ? min(segs[k + 1].start, total) : total
                acc[Int(s.state.rawValue)] += end - s.start
            }
            reports.append(UnitReport(unit: u, busy: acc[1], stallDependency: acc[2], stallBandwidth: acc[3],
                                      stallBuffer: acc[4], idle: acc[0], ops: unitOps[u] ?? OpCounts()))
        }
        let ops = reports.reduce(OpCounts()) { $0 + $1.ops }
        let saMacs = reports.filter { $0.unit.kind == .saGeneral }.reduce(0) { $0 + $1.ops.macs }
        let h = hardware
        return AcceleratorReport(
            workload: workload, totalCycles: total, clockMHz: h.clockMHz, units: reports, ops: ops,
            saGeneralMacUtilisation: Double(saMacs) / (Double(total) * Double(h.saRows * h.saCols * h.chunks)),
            energy: Self.energy(reports, total: total, table: config.energy,
                                lowMacPJ: workload.attention == .sanger ? workload.sangerInEffect.config.predictMacPJ : 0),
            stageCycles: stage, taskCount: graph.tasks.count)
    }

    /// Energy by component from the per-operation table.
    /// `lowMacPJ`: energy of one low-precision MAC (Sanger's prediction pass).
    static func energy(_ units: [UnitReport], total: Int, table e: EnergyTable, lowMacPJ: Double = 0) -> [EnergyComponent] {
        func sum(_ k: UnitKind, _ f: (OpCounts) -> Double) -> Double {
            units.filter { $0.unit.kind == k }.reduce(0) { $0 + f($1.ops) }
        }
        let all = units.reduce(OpCounts()) { $0 + $1.ops }
        return [
            EnergyComponent(name: "SA-General MACs", picojoules: sum(.saGeneral) { Double($0.macs) * e.mac }),
            EnergyComponent(name: "SA 4-bit MACs", picojoules: sum(.saGeneral) { Double($0.lowMacs) * lowMacPJ }),
            EnergyComponent(name: "SA-Diag MACs", picojoules: sum(.saDiag) { Double($0.macs) * e.mac }),
            EnergyComponent(name: "accumulators", picojoules: sum(.accumulator) { Double($0.adds) * e.add }),
            EnergyComponent(name: "adders", picojoules: sum(.adder) { Double($0.adds) * e.add + Double($0.muls) * e.mul }),
            EnergyComponent(name: "dividers", picojoules: sum(.divider) { Double($0.divs) * e.div }),
            EnergyComponent(name: "exp", picojoules: sum(.exp) { Double($0.exps) * e.exp }),
            EnergyComponent(name: "SRAM", picojoules: Double(all.sramReads) * e.sramReadPerWord + Double(all.sramWrites) * e.sramWritePerWord),
            EnergyComponent(name: "DRAM", picojoules: Double(all.dramReadBytes + all.dramWriteBytes) * e.dramPerByte),
            EnergyComponent(name: "static", picojoules: Double(total) * e.staticPerCycle),
        ]
    }
}
