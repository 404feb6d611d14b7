import RunKit

/// One unit's row in the Accelerator tab: what it does at the cursor.
public struct AcceleratorUnitRow: Sendable, Equatable {
    public let name: String
    public let state: String          // idle, busy, stall-dep, stall-bw, stall-buf
    public let activity: String       // e.g. "q-g L0 H2 (41%)" or ""
    public let utilisation: Double    // over the whole run
}

/// A bar of the pipeline Gantt chart: one task of the current layer.
public struct GanttBar: Sendable, Equatable {
    public let row: String            // "H0", "H1", … or "layer"
    public let stage: String
    public let start: Int, end: Int
}

/// The SA-General PE array at the cursor: what each PE does in that cycle.
public struct AcceleratorPEArray: Sendable, Equatable {
    public enum Activity: UInt8, Sendable {
        case idle, loading, mac
    }
    public let rows: Int, cols: Int
    /// Row-major rows×cols.
    public let cells: [Activity]
    public init(rows: Int, cols: Int, cells: [Activity]) {
        precondition(cells.count == rows * cols, "PE array cells must be rows×cols")
        self.rows = rows; self.cols = cols; self.cells = cells
    }
    public subscript(row: Int, col: Int) -> Activity { cells[row * cols + col] }
}

/// One on-chip buffer's occupancy at the cursor.
public struct AcceleratorBufferRow: Sendable, Equatable {
    public let name: String           // input, scratch, output, weight
    public let usedBytes: Int
    public let capacityBytes: Int
    public var fraction: Double { capacityBytes > 0 ? Double(usedBytes) / Double(capacityBytes) : 0 }
}

/// Taylor against softmax on the same hardware, stated in one direction whichever is shown:
/// e.g. "taylor 2.32× faster than softmax" (or "… slower …" when it is).
public func taylorComparison(taylorCycles: Int, softmaxCycles: Int) -> String {
    let t = Double(max(1, taylorCycles)), s = Double(max(1, softmaxCycles))
    if t == s { return "taylor as fast as softmax" }
    return t < s ? String(format: "taylor %.2f× faster than softmax", s / t) : String(format: "taylor %.2f× slower than softmax", t / s)
}

/// Sanger's totals on the same hardware (synthetic masks at the default density).
public struct AcceleratorSangerFigures: Sendable, Equatable {
    public var cycles: Int
    public var energyMicrojoules: Double
    public var density: Double
    /// Pack-and-split PE utilisation.
    public var loadBalance: Double
    public init(cycles: Int, energyMicrojoules: Double, density: Double, loadBalance: Double) {
        self.cycles = cycles; self.energyMicrojoules = energyMicrojoules; self.density = density; self.loadBalance = loadBalance
    }
}

/// Immutable view of the accelerator simulation at the cursor.
public struct AcceleratorSnapshot: Sendable {
    public var state: JobState
    public var model: String
    public var attention: String
    public var includeLinear: Bool
    public var cycle: Int
    public var totalCycles: Int
    public var clockMHz: Double
    public var layer: Int
    public var units: [AcceleratorUnitRow]
    public var pe: AcceleratorPEArray
    public var busyPEs: Int
    public var buffers: [AcceleratorBufferRow]
    /// Unit × time utilisation (rows = `timelineUnits`, columns = buckets of `bucketCycles`).
    public var timelineUnits: [String]
    public var timeline: [[Double]]
    public var bucketCycles: Int
    public var gantt: [GanttBar]
    public var ganttRange: ClosedRange<Int>
    public var energyMicrojoules: Double
    public var otherAttention: String
    public var otherCycles: Int
    public var otherEnergyMicrojoules: Double
    public var breakpoints: [String]
    /// The change being re-simulated (e.g. "linear = on"), nil when none is.
    public var resimulating: String?
    /// Progress of that re-simulation (0…1).
    public var resimulationProgress: Double
    public var settings: [SettingRow]
    public var messages: [JobMessage]
    /// The pipeline's stage names (what `break` takes).
    public var stages: [String] = []
    /// Per unit over the whole run: utilisation, mapping efficiency, energy.
    public var unitFigures: [AcceleratorUnitFigures] = []
    /// Energy that belongs to no unit (SRAM accesses, static), µJ.
    public var sharedEnergy: [(name: String, microjoules: Double)] = []
    /// DRAM traffic of the whole run.
    public var dramReadBytes = 0, dramWriteBytes = 0
    /// Each layer's span in the schedule.
    public var layerCycles: [AcceleratorLayerCycles] = []
    /// Sanger on the same hardware (the third column of the comparison).
    public var sanger: AcceleratorSangerFigures? = nil

    /// Taylor against Sanger, e.g. "taylor 1.69× faster than sanger".
    public var sangerComparison: String? {
        guard let g = sanger else { return nil }
        let t = attention == "taylor" ? totalCycles : otherCycles
        let r = Double(max(1, g.cycles)) / Double(max(1, t))
        return String(format: "taylor %.2f× %@ than sanger", r >= 1 ? r : 1 / r, r >= 1 ? "faster" : "slower")
    }

    /// Sanger's energy, mask density and load balance, e.g. "sanger 259.9 µJ, ρ 0.20, bal. 0.61".
    public var sangerFigures: String? {
        sanger.map { String(format: "sanger %.1f µJ, ρ %.2f, bal. %.2f", $0.energyMicrojoules, $0.density, $0.loadBalance) }
    }

    /// The comparison counter: taylor against softmax, the same direction in both modes.
    public var comparison: String {
        attention == "taylor" ? taylorComparison(taylorCycles: totalCycles, softmaxCycles: otherCycles)
            : taylorComparison(taylorCycles: otherCycles, softmaxCycles: totalCycles)
    }
}
