/// A task starting or ending (what "run to next event" and breakpoints look at).
public struct TaskTransition: Sendable, Hashable {
    public var cycle: Int
    public var task: Int
    public var isStart: Bool
}

/// The resource-constrained, event-driven list scheduler behind `AcceleratorSimulation`.
/// Time jumps from event to event (a task ends, the DRAM channel frees, a streamed input
/// becomes available); at each event every free unit starts its most urgent ready task
/// (lowest id) whose buffer allocations fit. Unit states and buffer occupancy are recorded
/// as run-length segments, so any cycle can be queried afterwards in O(log n).
/// Incremental: `advance(to:)` only processes events up to the requested cycle.
final class EventEngine {
    struct Event: Comparable {
        enum Kind: UInt8 { case kick, end, channelFree, wake }
        var time: Int, seq: Int, kind: Kind, task: Int
        static func < (a: Event, b: Event) -> Bool { (a.time, a.seq) < (b.time, b.seq) }
    }

    let graph: TaskGraph
    let hw: AcceleratorHardware
    let unitIndex: [UnitID: Int]
    let dramUnit: Int
    let taskUnit: [Int]
    private(set) var startTime: [Int], endTime: [Int]
    private var minEnd: [Int], readyAt: [Int]
    private var pendCompute: [Int], pendDram: [Int], pendStream: [Int]
    private var dependents: [[Int]] = [], streamDependents: [[Int]] = []
    private var consumerOf: [[Int]] = []
    private var allocRemaining: [Int]
    private(set) var bufferUsed: [Int]
    private var readyQ: [Heap<Int>]
    private(set) var running: [Int]
    /// DRAM transfers started and not yet ended, oldest first: the channel frees before a
    /// transfer's latency has passed, but the unit is still busy with it until it ends.
    private var dramInFlight: [Int] = []
    /// `cause` results of the current `recordStates` call, per (task, depth): the DAG's
    /// shared inputs would otherwise be walked again for every path to them (exponential).
    private var causeStamp: [UInt32], causeValue: [UnitState]
    private var causeGeneration: UInt32 = 0
    static let causeDepths = 10
    private var remaining: [Int]
    private var done: [Bool]
    /// Per unit: its task ids (ascending) and the index of the first one not yet started.
    private var unitTasks: [[Int]], unitCursor: [Int]
    private var events = Heap<Event>()
    private var seq = 0
    private(set) var now = 0
    private(set) var endedCount = 0
    private(set) var segments: [[UnitSegment]]
    /// Per buffer: (cycle, bytes in use from that cycle on).
    private(set) var bufferTimeline: [[(cycle: Int, bytes: Int)]]
    private(set) var transitions: [TaskTransition] = []
    private(set) var failure: String?
    private(set) var finishedAt: Int?
    let bytesPerCycle: Double

    init(graph: TaskGraph, hardware: AcceleratorHardware) {
        self.graph = graph; self.hw = hardware
        var ui: [UnitID: Int] = [:]
        for (i, u) in graph.units.enumerated() { ui[u] = i }
        unitIndex = ui
        dramUnit = ui[UnitID(.dram)]!
        let n = graph.tasks.count
        taskUnit = graph.tasks.map { ui[$0.unit]! }
        startTime = Array(repeating: -1, count: n); endTime = Array(repeating: -1, count: n)
        minEnd = Array(repeating: 0, count: n); readyAt = Array(repeating: 0, count: n)
        pendCompute = Array(repeating: 0, count: n); pendDram = pendCompute; pendStream = pendCompute
        dependents = Array(repeating: [], count: n); streamDependents = dependents; consumerOf = dependents
        allocRemaining = graph.allocations.map { $0.consumers.count }
        bufferUsed = Array(repeating: 0, count: BufferKind.allCases.count)
        bufferTimeline = Array(repeating: [(0, 0)], count: BufferKind.allCases.count)
        readyQ = Array(repeating: Heap<Int>(), count: graph.units.count)
        running = Array(repeating: -1, count: graph.units.count)
        remaining = Array(repeating: 0, count: graph.units.count)
        done = Array(repeating: false, count: n)
        causeStamp = Array(repeating: 0, count: n * Self.causeDepths)
        causeValue = Array(repeating: .idle, count: n * Self.causeDepths)
        unitTasks = Array(repeating: [], count: graph.units.count); unitCursor = remaining
        segments = Array(repeating: [], count: graph.units.count)
        bytesPerCycle = hardware.dramBytesPerCycle
        for t in graph.tasks {
            remaining[taskUnit[t.id]] += 1
            unitTasks[taskUnit[t.id]].append(t.id)
            for d in Set(t.deps) {
                dependents[d].append(t.id)
                if graph.tasks[d].stage.isTransfer { pendDram[t.id] += 1 } else { pendCompute[t.id] += 1 }
            }
            for d in Set(t.streamDeps) { streamDependents[d].append(t.id); pendStream[t.id] += 1 }
        }
        for (a, spec) in graph.allocations.enumerated() { for c in Set(spec.consumers) { consumerOf[c].append(a) } }
        for (a, spec) in graph.allocations.enumerated() { allocRemaining[a] = Set(spec.consumers).count }
        for t in graph.tasks {
            if isReady(t.id) { readyQ[taskUnit[t.id]].push(t.id) }
        }
        push(0, .kick, -1)
    }

    var isFinished: Bool { finishedAt != nil || failure != nil }
    var nextEventTime: Int? { events.min?.time }

    /// Processes every event at or before `limit`.
    func advance(to limit: Int) {
        while let t = events.min?.time, t <= limit { process(t) }
        if events.isEmpty && finishedAt == nil && failure == nil { finish() }
    }

    /// Processes the next event time only; returns it (nil when finished).
    @discardableResult
    func advanceOneEvent() -> Int? {
        guard let t = events.min?.time else { if !isFinished { finish() }; return nil }
        process(t)
        if events.isEmpty && !isFinished { finish() }
        return t
    }

    func runToEnd() { advance(to: Int.max) }

    // MARK: internals

    private func push(_ time: Int, _ kind: Event.Kind, _ task: Int) {
        events.push(Event(time: time, seq: seq, kind: kind, task: task)); seq += 1
    }

    private func isReady(_ x: Int) -> Bool {
        pendCompute[x] == 0 && pendDram[x] == 0 && pendStream[x] == 0 && readyAt[x] <= now
    }

    private func update(_ x: Int, _ change: () -> Void) {
        change()
        if pendCompute[x] == 0 && pendDram[x] == 0 && pendStream[x] == 0 && startTime[x] < 0 {
            if readyAt[x] <= now { readyQ[taskUnit[x]].push(x) } else { push(readyAt[x], .wake, x) }
        }
    }

    /// Why task `x` (not started, or a dependency being followed) holds up its consumer:
    /// the root cause along its unfinished inputs. Bandwidth (a DRAM transfer in flight or
    /// queued behind others) wins over buffer space, which wins over a plain data dependency.
    private func cause(_ x: Int, depth: Int) -> UnitState {
        let key = x * Self.causeDepths + min(depth, Self.causeDepths - 1)
        if causeStamp[key] == causeGeneration { return causeValue[key] }
        let c = uncachedCause(x, depth: depth)
        causeStamp[key] = causeGeneration; causeValue[key] = c
        return c
    }

    private func uncachedCause(_ x: Int, depth: Int) -> UnitState {
        let isDram = taskUnit[x] == dramUnit
        if startTime[x] >= 0 { return isDram ? .stallBandwidth : .stallDependency }
        if depth > 8 { return .stallDependency }
        if pendCompute[x] == 0 && pendDram[x] == 0 && pendStream[x] == 0 {
            if readyAt[x] > now { return .stallDependency }
            if running[taskUnit[x]] >= 0 { return isDram ? .stallBandwidth : .stallDependency }
            return .stallBuffer   // ready, unit free, but its allocation does not fit
        }
        var best = UnitState.stallDependency
        for d in graph.tasks[x].deps where !done[d] {
            let c = cause(d, depth: depth + 1)
            if c == .stallBandwidth { return c }
            if c == .stallBuffer { best = c }
        }
        for d in graph.tasks[x].streamDeps where startTime[d] < 0 {
            let c = cause(d, depth: depth + 1)
            if c == .stallBandwidth { return c }
            if c == .stallBuffer { best = c }
        }
        return best
    }

    private func process(_ t: Int) {
        now = t
        while let e = events.min, e.time == t {
            _ = events.pop()
            switch e.kind {
            case .kick: break
            case .wake: if startTime[e.task] < 0 { readyQ[taskUnit[e.task]].push(e.task) }
            case .channelFree: if running[dramUnit] == e.task { running[dramUnit] = -1 }
            case .end: taskEnded(e.task)
            }
        }
        dispatch()
        recordStates()
    }

    private func taskEnded(_ x: Int) {
        endedCount += 1
        done[x] = true
        let u = taskUnit[x]
        if u != dramUnit && running[u] == x { running[u] = -1 }
        if u == dramUnit, let i = dramInFlight.firstIndex(of: x) { dramInFlight.remove(at: i) }
        transitions.append(TaskTransition(cycle: now, task: x, isStart: false))
        for a in consumerOf[x] {
            allocRemaining[a] -= 1
            if allocRemaining[a] == 0 { release(a) }
        }
        for a in graph.tasks[x].allocates where graph.allocations[a].consumers.isEmpty { release(a) }
        let transfer = graph.tasks[x].stage.isTransfer
        for d in dependents[x] {
            update(d) { if transfer { pendDram[d] -= 1 } else { pendCompute[d] -= 1 } }
        }
    }

    private func release(_ a: Int) {
        let s = graph.allocations[a], b = BufferKind.allCases.firstIndex(of: s.buffer)!
        bufferUsed[b] -= s.bytes
        noteBuffer(b)
    }

    private func noteBuffer(_ b: Int) {
        if bufferTimeline[b].last!.cycle == now { bufferTimeline[b][bufferTimeline[b].count - 1].bytes = bufferUsed[b] }
        else { bufferTimeline[b].append((now, bufferUsed[b])) }
    }

    private func fits(_ x: Int) -> Bool {
        var need = [Int](repeating: 0, count: bufferUsed.count)
        for a in graph.tasks[x].allocates {
            need[BufferKind.allCases.firstIndex(of: graph.allocations[a].buffer)!] += graph.allocations[a].bytes
        }
        for b in need.indices where need[b] > 0 && bufferUsed[b] + need[b] > hw.capacityBytes(BufferKind.allCases[b]) { return false }
        return true
    }

    private func dispatch() {
        var progress = true
        while progress {
            progress = false
            for u in readyQ.indices where running[u] < 0 && !readyQ[u].isEmpty {
                var skipped: [Int] = []
                var chosen: Int? = nil
                while let x = readyQ[u].pop() {
                    if startTime[x] >= 0 { continue }
                    if fits(x) { chosen = x; break }
                    skipped.append(x)
                }
                for x in skipped { readyQ[u].push(x) }
                if let x = chosen { start(x, on: u); progress = true }
            }
        }
    }

    private func start(_ x: Int, on u: Int) {
        let t = graph.tasks[x]
        startTime[x] = now
        remaining[u] -= 1
        for a in t.allocates {
            let b = BufferKind.allCases.firstIndex(of: graph.allocations[a].buffer)!
            bufferUsed[b] += graph.allocations[a].bytes
            noteBuffer(b)
        }
        running[u] = x
        if u == dramUnit {
            dramInFlight.append(x)
            let occupancy = max(1, Int((Double(t.bytes) / bytesPerCycle).rounded(.up)))
            endTime[x] = now + occupancy + hw.dramLatencyCycles
            push(now + occupancy, .channelFree, x)
        } else {
            endTime[x] = max(now + max(1, t.duration), minEnd[x])
        }
        push(endTime[x], .end, x)
        transitions.append(TaskTransition(cycle: now, task: x, isStart: true))
        for d in streamDependents[x] {
            update(d) {
                pendStream[d] -= 1
                readyAt[d] = max(readyAt[d], now + graph.tasks[x].firstOutput)
                minEnd[d] = max(minEnd[d], endTime[x] + graph.tasks[d].tail)
            }
        }
    }

    private func recordStates() {
        causeGeneration &+= 1
        if causeGeneration == 0 { for i in causeStamp.indices { causeStamp[i] = 0 }; causeGeneration = 1 }
        for u in segments.indices {
            let s: UnitState, task: Int
            if running[u] >= 0 { s = .busy; task = running[u] }
            else if u == dramUnit, let x = dramInFlight.last { s = .busy; task = x }
            else if !readyQ[u].isEmpty { s = .stallBuffer; task = -1 }
            else if u == dramUnit || remaining[u] == 0 { s = .idle; task = -1 }
            else {
                while unitCursor[u] < unitTasks[u].count && startTime[unitTasks[u][unitCursor[u]]] >= 0 { unitCursor[u] += 1 }
                s = cause(unitTasks[u][unitCursor[u]], depth: 0); task = -1
            }
            if let last = segments[u].last, last.state == s, last.task == task { continue }
            if let last = segments[u].last, last.start == now { segments[u][segments[u].count - 1] = UnitSegment(start: now, state: s, task: task) }
            else { segments[u].append(UnitSegment(start: now, state: s, task: task)) }
        }
    }

    private func finish() {
        if endedCount == graph.tasks.count {
            finishedAt = endTime.max() ?? 0
        } else {
            let stuck = graph.tasks.filter { startTime[$0.id] < 0 }.prefix(3)
                .map { "\($0.stage.rawValue) layer \($0.layer) head \($0.head.map(String.init) ?? "-") on \($0.unit)" }
            failure = "deadlock at cycle \(now): \(graph.tasks.count - endedCount) tasks never finished (e.g. \(stuck.joined(separator: "; "))); buffers too small for this workload?"
        }
    }
}
