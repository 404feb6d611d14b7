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
