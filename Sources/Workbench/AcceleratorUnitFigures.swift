import Accelerator

/// One unit's figures over the whole run, for the Accelerator tab's unit table.
public struct AcceleratorUnitFigures: Sendable, Equatable {
    public let name: String
    /// Busy cycles ÷ all cycles of the run.
    public let utilisation: Double
    /// PE arrays: MACs ÷ (busy cycles × PEs), how well the work fills the array while it
    /// runs (NaN for units that are not PE arrays).
    public let mapping: Double
    /// Energy of the unit's own operations from the Vitality energy table (SRAM and static
    /// energy belong to no unit and are listed apart).
    public let microjoules: Double
    public init(name: String, utilisation: Double, mapping: Double, microjoules: Double) {
        self.name = name; self.utilisation = utilisation; self.mapping = mapping; self.microjoules = microjoules
    }

    /// The figures of every unit of `report` on `hardware` with `energy`.
    static func of(_ report: AcceleratorReport, hardware h: AcceleratorHardware, energy e: EnergyTable) -> [AcceleratorUnitFigures] {
        report.units.map { u in
            let o = u.ops
            let pes: Int?
            let pj: Double
            switch u.unit.kind {
            case .saGeneral: pes = h.saRows * h.saCols; pj = Double(o.macs) * e.mac
            case .saDiag: pes = h.saDiagRows; pj = Double(o.macs) * e.mac
            case .accumulator: pes = nil; pj = Double(o.adds) * e.add
            case .adder: pes = nil; pj = Double(o.adds) * e.add + Double(o.muls) * e.mul
            case .divider: pes = nil; pj = Double(o.divs) * e.div
            case .exp: pes = nil; pj = Double(o.exps) * e.exp
            case .dram: pes = nil; pj = Double(o.dramReadBytes + o.dramWriteBytes) * e.dramPerByte
            }
            let mapping = pes.map { u.busy > 0 ? Double(o.macs) / (Double(u.busy) * Double($0)) : 0 } ?? .nan
            return AcceleratorUnitFigures(name: u.unit.description, utilisation: u.utilisation, mapping: mapping, microjoules: pj / 1e6)
        }
    }
}

/// One layer's span in the schedule: from its first task's start to its last task's end.
public struct AcceleratorLayerCycles: Sendable, Equatable {
    public let layer: Int
    public let start: Int, end: Int
    public var cycles: Int { end - start }
    public init(layer: Int, start: Int, end: Int) { self.layer = layer; self.start = start; self.end = end }
}
