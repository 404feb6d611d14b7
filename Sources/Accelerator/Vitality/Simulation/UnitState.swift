/// What a unit is doing in a cycle (spec vitality §5.3: busy / idle / stall).
public enum UnitState: UInt8, CaseIterable, Sendable, Codable {
    /// No work left (or none assigned to this unit).
    case idle = 0
    /// Running a task.
    case busy = 1
    /// Has work left, but its next task waits for another unit's result (a data dependency,
    /// including a streamed producer that has not emitted its first row yet).
    case stallDependency = 2
    /// Its next task waits, directly or through the chain of unfinished inputs, for a DRAM
    /// transfer (in flight or queued on the channel).
    case stallBandwidth = 3
    /// Its next task (or an input of it, with its unit free) is ready but its allocation does
    /// not fit in its SRAM buffer yet.
    case stallBuffer = 4

    public var label: String {
        switch self {
        case .idle: return "idle"
        case .busy: return "busy"
        case .stallDependency: return "stall:dependency"
        case .stallBandwidth: return "stall:bandwidth"
        case .stallBuffer: return "stall:buffer"
        }
    }
}

/// A run of cycles [start, next segment's start) in which a unit's state and task are constant.
public struct UnitSegment: Sendable, Hashable {
    public var start: Int
    public var state: UnitState
    /// Task id, or −1.
    public var task: Int
}
