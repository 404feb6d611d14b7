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
