/// The ViTALiTy accelerator simulation with a stepping API (for the TUI and the CLI).
///
/// The task DAG is scheduled by an event-driven engine that jumps between events; the
/// cursor (`cycle`) can then be moved freely (forwards or backwards) and every query is
/// answered from the recorded schedule at that cycle. The engine is advanced lazily, only
/// as far as the cursor or a query needs, so stepping from cycle 0 is immediate even for
/// large workloads.
///
/// Not thread-safe: create and use it on one thread; hand `SimulationSnapshot`s
/// (Sendable) to other threads.
public final class AcceleratorSimulation {
    public let workload: AcceleratorWorkload
    public let config: VitalityConfig
    public var hardware: AcceleratorHardware { config.hardware }
    public let graph: TaskGraph
    let engine: EventEngine

    /// The cursor: queries without an explicit cycle describe this cycle.
    public private(set) var cycle: Int = 0
    /// Checked by `runUntilBreakpoint` (and `runToNextEvent` reports matches in its result).
    public var breakpoints: [Breakpoint] = []

    public init(workload: AcceleratorWorkload, config: VitalityConfig = .defaults()) {
        self.workload = workload; self.config = config
        graph = TaskGraph.build(workload, hardware: config.hardware)
        engine = EventEngine(graph: graph, hardware: config.hardware)
        engine.advance(to: 0)
    }

    public var units: [UnitID] { graph.units }
    /// Total cycles, once the scheduler has finished (see `prepare()`).
    public var totalCycles: Int? { engine.finishedAt }
    /// True when the cursor is at or past the last cycle.
    public var isFinished: Bool { totalCycles.map { cycle >= $0 } ?? false }
    /// Set if the scheduler deadlocked.
    public var failure: String? { engine.failure }

    /// Schedules everything (event-driven; the cursor does not move). Throws on deadlock.
    public func prepare() throws {
        engine.runToEnd()
        if let f = engine.failure { throw SimulationError(description: f) }
    }

    /// Schedules at most `events` more event times (the cursor does not move), so a caller
    /// can interleave scheduling with other work and give up part-way. Returns true once the
    /// scheduler has finished; throws on deadlock.
    public func prepare(events: Int) throws -> Bool {
        var n = 0
        while n < events, !engine.isFinished {
            engine.advanceOneEvent()
            n += 1
        }
        if let f = engine.failure { throw SimulationError(description: f) }
        return engine.isFinished
    }

    /// Share of tasks the scheduler has finished (0…1).
    public var scheduledFraction: Double {
        graph.tasks.isEmpty ? 1 : Double(engine.endedCount) / Double(graph.tasks.count)
    }

    // MARK: moving the cursor

    /// Advances the cursor by `n` cycles (clamped at the end); returns the new cycle.
    @discardableResult
    public func step(_ n: Int = 1) -> Int {
        run(to: cycle + max(0, n))
        return cycle
    }

    /// Moves the cursor to `target` (clamped to [0, totalCycles]); backwards is allowed.
    public func run(to target: Int) {
        let t = max(0, target)
        engine.advance(to: t)
        if let total = engine.finishedAt { cycle = min(t, total) }
        else if engine.failure != nil { cycle = min(t, engine.now) }
        else { cycle = t }
    }

    /// Moves to the next cycle after the cursor at which some task starts or ends and
    /// returns those transitions (empty at the end).
    @discardableResult
    public func runToNextEvent() -> [TaskTransition] {
        while true {
            let tr = engine.transitions
            if let i = firstTransition(after: cycle), engine.now >= tr[i].cycle {
                let c = tr[i].cycle
                var out: [TaskTransition] = []
                var j = i
                while j < tr.count && tr[j].cycle == c { out.append(tr[j]); j += 1 }
                cycle = c
                return out
            }
            if engine.advanceOneEvent() == nil {
                if let total = engine.finishedAt { cycle = max(cycle, total) }
                return []
            }
        }
    }

    /// Runs event by event until a breakpoint matches (returns it) or the end (nil).
    public func runUntilBreakpoint() -> BreakpointHit? {
        while true {
            let tr = runToNextEvent()
            if tr.isEmpty { return nil }
            for t in tr {
                let info = task(t.task)
                if let b = breakpoints.first(where: { $0.matches(info, isStart: t.isStart) }) {
                    return BreakpointHit(breakpoint: b, transition: t, task: info)
                }
            }
        }
    }

    /// Moves the cursor to the end.
    public func runToEnd() {
        engine.runToEnd()
        if let t = engine.finishedAt { cycle = t }
    }

    private func firstTransition(after c: Int) -> Int? {
        let tr = engine.transitions
        var lo = 0, hi = tr.count
        while lo < hi { let m = (lo + hi) / 2; if tr[m].cycle <= c { lo = m + 1 } else { hi = m } }
        return lo < tr.count ? lo : nil
    }

    // MARK: queries

    public func task(_ id: Int) -> TaskInfo {
        let t = graph.tasks[id]
        let s = engine.startTime[id], e = engine.endTime[id]
        return TaskInfo(id: id, stage: t.stage, layer: t.layer, head: t.head, unit: t.unit,
                        start: s >= 0 ? s : nil, end: e >= 0 ? e : nil, ops: t.ops)
    }

    private func ensure(_ c: Int) { if engine.now < c && !engine.isFinished { engine.advance(to: c) } }

    /// The segment of `unit` covering cycle `c`.
    func segment(_ u: Int, at c: Int) -> UnitSegment? {
        let s = engine.segments[u]
        var lo = 0, hi = s.count - 1
        guard hi >= 0, s[0].start <= c else { return nil }
        while lo < hi { let m = (lo + hi + 1) / 2; if s[m].start <= c { lo = m } else { hi = m - 1 } }
        return s[lo]
    }

    public func unitSnapshot(_ unit: UnitID, at c: Int? = nil) -> UnitSnapshot {
        let c = c ?? cycle
        ensure(c)
        guard let u = engine.unitIndex[unit], let seg = segment(u, at: c) else {
            return UnitSnapshot(unit: unit, state: .idle, task: nil, progress: nil)
        }
        if let total = engine.finishedAt, c >= total { return UnitSnapshot(unit: unit, state: .idle, task: nil, progress: nil) }
        guard seg.task >= 0 else { return UnitSnapshot(unit: unit, state: seg.state, task: nil, progress: nil) }
        let info = task(seg.task)
        let s = info.start ?? c, e = info.end ?? (c + 1)
        return UnitSnapshot(unit: unit, state: seg.state, task: info, progress: Double(c - s) / Double(max(1, e - s)))
    }

    /// Activity of SA-General (or SA-Diag with `diag: true`) of `chunk`, from the systolic
    /// wavefront of the tile running at that cycle.
    public func peActivity(chunk: Int = 0, diag: Bool = false, at c: Int? = nil) -> PEActivityMap {
        let c = c ?? cycle
        let unit = UnitID(diag ? .saDiag : .saGeneral, chunk: chunk)
        let rows = diag ? hardware.saDiagRows : hardware.saRows, cols = diag ? 1 : hardware.saCols
        let snap = unitSnapshot(unit, at: c)
        guard let t = snap.task, let sa = graph.tasks[t.id].sa, let s = t.start else { return .idle(rows: rows, cols: cols) }
        return PEActivityMap(rows: rows, cols: cols, cells: sa.activityMap(offset: c - s))
    }

    /// MACs in flight on a systolic array at a cycle (cheaper than the map).
    public func busyPEs(chunk: Int = 0, diag: Bool = false, at c: Int? = nil) -> Int {
        let c = c ?? cycle
        let snap = unitSnapshot(UnitID(diag ? .saDiag : .saGeneral, chunk: chunk), at: c)
        guard let t = snap.task, let sa = graph.tasks[t.id].sa, let s = t.start else { return 0 }
        return sa.busyPEs(offset: c - s)
    }

    public func bufferOccupancy(at c: Int? = nil) -> [BufferSnapshot] {
        let c = c ?? cycle
        ensure(c)
        return BufferKind.allCases.enumerated().map { i, b in
            let tl = engine.bufferTimeline[i]
            var lo = 0, hi = tl.count - 1
            while lo < hi { let m = (lo + hi + 1) / 2; if tl[m].cycle <= c { lo = m } else { hi = m - 1 } }
            return BufferSnapshot(buffer: b, usedBytes: tl[lo].bytes, capacityBytes: hardware.capacityBytes(b))
        }
    }

    /// Everything at the cursor (or at `c`).
    public func snapshot(at c: Int? = nil) -> SimulationSnapshot {
        let c = c ?? cycle
        ensure(c)
        let chunks = hardware.chunks
        return SimulationSnapshot(
            cycle: c, totalCycles: totalCycles, finished: totalCycles.map { c >= $0 } ?? false,
            units: units.map { unitSnapshot($0, at: c) }, buffers: bufferOccupancy(at: c),
            saGeneral: (0..<chunks).map { peActivity(chunk: $0, at: c) },
            saDiag: workload.attention == .taylor ? (0..<chunks).map { peActivity(chunk: $0, diag: true, at: c) } : [])
    }

    /// Recorded state segments of a unit (run-length; scheduled so far).
    public func segments(of unit: UnitID) -> [UnitSegment] {
        engine.unitIndex[unit].map { engine.segments[$0] } ?? []
    }

    /// Task starts/ends recorded so far, in cycle order.
    public var transitions: [TaskTransition] { engine.transitions }
}

/// The scheduler could not finish (e.g. buffers too small for the workload).
public struct SimulationError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
