/// A task as the UI sees it.
public struct TaskInfo: Sendable, Hashable {
    public var id: Int
    public var stage: Stage
    public var layer: Int
    /// nil for whole-layer work (linear layers).
    public var head: Int?
    public var unit: UnitID
    /// Scheduled start / end (end exclusive); nil until the scheduler has reached it.
    public var start: Int?, end: Int?
    public var ops: OpCounts
}

/// One unit at one cycle.
public struct UnitSnapshot: Sendable, Hashable {
    public var unit: UnitID
    public var state: UnitState
    /// The running task (state `.busy`).
    public var task: TaskInfo?
    /// Fraction of the running task done at this cycle (0…1).
    public var progress: Double?
}

/// Which PEs of a systolic array are loading or doing a MAC in one cycle.
public struct PEActivityMap: Sendable, Hashable {
    public var rows: Int, cols: Int
    /// Row-major rows×cols.
    public var cells: [PEActivity]
    public subscript(row: Int, col: Int) -> PEActivity { cells[row * cols + col] }
    public var macCount: Int { cells.reduce(0) { $0 + ($1 == .mac ? 1 : 0) } }
    public var loadingCount: Int { cells.reduce(0) { $0 + ($1 == .loading ? 1 : 0) } }
    public static func idle(rows: Int, cols: Int) -> PEActivityMap {
        PEActivityMap(rows: rows, cols: cols, cells: Array(repeating: .idle, count: rows * cols))
    }
}

public struct BufferSnapshot: Sendable, Hashable {
    public var buffer: BufferKind
    public var usedBytes: Int
    public var capacityBytes: Int
    public var fraction: Double { capacityBytes > 0 ? Double(usedBytes) / Double(capacityBytes) : 0 }
}

/// Everything the UI draws for one cycle (immutable, Sendable).
public struct SimulationSnapshot: Sendable {
    public var cycle: Int
    /// Known once the scheduler has finished.
    public var totalCycles: Int?
    public var finished: Bool
    public var units: [UnitSnapshot]
    public var buffers: [BufferSnapshot]
    /// SA-General activity per chunk.
    public var saGeneral: [PEActivityMap]
    /// SA-Diag activity per chunk (rows×1).
    public var saDiag: [PEActivityMap]
}

/// Stop when a matching task starts and/or ends. nil fields match anything.
public struct Breakpoint: Sendable, Hashable {
    public enum Edge: String, Sendable { case start, end, either }
    public var stage: Stage?
    public var layer: Int?
    public var head: Int?
    public var unit: UnitKind?
    public var edge: Edge

    public init(stage: Stage? = nil, layer: Int? = nil, head: Int? = nil, unit: UnitKind? = nil, edge: Edge = .start) {
        self.stage = stage; self.layer = layer; self.head = head; self.unit = unit; self.edge = edge
    }

    public func matches(_ t: TaskInfo, isStart: Bool) -> Bool {
        if let stage, stage != t.stage { return false }
        if let layer, layer != t.layer { return false }
        if let head, head != t.head { return false }
        if let unit, unit != t.unit.kind { return false }
        switch edge {
        case .start: return isStart
        case .end: return !isStart
        case .either: return true
        }
    }
}

public struct BreakpointHit: Sendable {
    public var breakpoint: Breakpoint
    public var transition: TaskTransition
    public var task: TaskInfo
}

/// The scheduler could not finish (e.g. buffers too small for the workload).
public struct SimulationError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
