import Accelerator
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
    public var pe: PEActivityMap
    public var busyPEs: Int
    public var buffers: [BufferSnapshot]
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
