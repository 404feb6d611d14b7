/// One row of the three SRAM traces as SCALE-Sim writes them: ifmap and filter rows are
/// stamped `cycle + 1` (1-cycle hit latency), ofmap rows `cycle`.
public struct DemandRow: Sendable, Hashable {
    public var cycle: Int
    public var ifmap: [Int], filter: [Int], ofmap: [Int]
}

public struct DemandSimulationResult: Sendable, Hashable {
    /// SCALE-Sim's "Total Cycles": the largest cycle at which an ofmap row was serviced.
    public var totalCycles: Int
    public var stallCycles: Int
    /// Demand rows replayed (= cycles simulated).
    public var rows: Int
    /// MACs performed by the PE wavefront, summed cycle by cycle (must equal M·K·N).
    public var macs: Int
    public var ifmapReads: Int, filterReads: Int, ofmapWrites: Int
    /// Last cycle with a real (non-idle) ofmap write.
    public var lastOfmapWrite: Int
}

/// Cycle-by-cycle, demand-driven replay of a layer, as SCALE-Sim's memory system does it:
/// every cycle one demand row per operand is serviced (CALC mode: reads always hit, so no
/// stalls), the PE wavefront performs its MACs, and the layer ends at the last ofmap row.
/// The cycle count is therefore *simulated*, not taken from the closed form; the tests
/// check that the two agree and that the MAC count is exactly M·K·N.
public struct DemandSimulation: Sendable {
    public let layout: DemandLayout
    public var plan: FoldPlan { layout.plan }

    public init(_ plan: FoldPlan, offsets: OperandOffsets = OperandOffsets()) {
        layout = DemandLayout(plan: plan, offsets: offsets)
    }

    public func run() -> DemandSimulationResult { run(trace: nil) }

    /// Replays every demand row; `trace` (if given) receives each row in SCALE-Sim's format.
    public func run(trace: ((DemandRow) -> Void)?) -> DemandSimulationResult {
        let len = plan.foldLength
        var cycle = 0, stalls = 0
        var macs = 0, reads = (0, 0), writes = 0, lastWrite = -1, lastServiced = -1
        for fi in 0..<plan.foldCount {
            let f = plan.fold(fi)
            for i in 0..<len {
                let (a, b, c) = layout.windows(f, row: i)
                // CALC mode: ifmap/filter hits take 1 cycle, ofmap writes are accepted at once.
                let serviced = cycle + stalls
                reads.0 += a.count; reads.1 += b.count
                if c.count > 0 { writes += c.count; lastWrite = serviced }
                lastServiced = max(lastServiced, serviced)
                macs += plan.busyPEs(fold: f, localCycle: i)
                if let trace {
                    trace(DemandRow(cycle: serviced,
                                    ifmap: a.row(ports: layout.ifmapPorts),
                                    filter: b.row(ports: layout.filterPorts),
                                    ofmap: c.row(ports: layout.ofmapPorts)))
                }
                cycle += 1
            }
        }
        return DemandSimulationResult(totalCycles: max(1, lastServiced), stallCycles: stalls, rows: cycle, macs: macs,
                                      ifmapReads: reads.0, filterReads: reads.1, ofmapWrites: writes,
                                      lastOfmapWrite: lastWrite)
    }
}
