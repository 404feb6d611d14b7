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
    public var settings: [SettingRow]
    public var messages: [JobMessage]
}
