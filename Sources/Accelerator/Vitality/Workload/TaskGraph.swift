/// One schedulable piece of work: a stage of one head (or of a whole layer) on one unit.
public struct TaskSpec: Sendable {
    public var id: Int
    public var stage: Stage
    public var layer: Int
    /// nil for whole-layer work (linear layers).
    public var head: Int?
    public var unit: UnitID
    /// Compute cycles (for DRAM transfers: computed from `bytes` at dispatch).
    public var duration: Int
    public var bytes: Int
    /// Must have ended before this task starts.
    public var deps: [Int]
    /// Streamed producers: this task may start once each has produced its first output,
    /// and ends no earlier than each producer's end + `tail`.
    public var streamDeps: [Int]
    /// Offset after its start at which this task's first output is available to stream consumers.
    public var firstOutput: Int
    public var tail: Int
    public var ops: OpCounts
    /// Tile schedule for systolic-array tasks (PE activity map).
    public var sa: SAWork?
    /// Allocations made when this task starts.
    public var allocates: [Int]
}

/// A buffer allocation: made when `producer` starts, released when every consumer (or,
/// with none, the producer) has ended.
public struct AllocationSpec: Sendable {
    public var buffer: BufferKind
    public var bytes: Int
    public var producer: Int
    public var consumers: [Int]
}

/// The whole workload as a DAG; tasks are created in priority order (lower id = more urgent).
public struct TaskGraph: Sendable {
    public var tasks: [TaskSpec] = []
    public var allocations: [AllocationSpec] = []
    public var units: [UnitID] = []
}

/// Builds task graphs; keeps the spill logic in one place.
struct GraphBuilder {
    var g = TaskGraph()
    let hw: AcceleratorHardware

    init(hw: AcceleratorHardware, units: [UnitID]) { self.hw = hw; g.units = units }

    @discardableResult
    mutating func add(_ stage: Stage, layer: Int, head: Int?, unit: UnitID, duration: Int = 0, bytes: Int = 0,
                      deps: [Int] = [], stream: [Int] = [], firstOutput: Int = 0, tail: Int = 0,
                      ops: OpCounts = OpCounts(), sa: SAWork? = nil) -> Int {
        let id = g.tasks.count
        g.tasks.append(TaskSpec(id: id, stage: stage, layer: layer, head: head, unit: unit, duration: duration,
                                bytes: bytes, deps: deps, streamDeps: stream, firstOutput: firstOutput, tail: tail,
                                ops: ops, sa: sa, allocates: []))
        return id
    }

    /// A tensor of `bytes` produced by `producer` into `buffer`. If it is larger than the
    /// whole buffer, only a buffer-full stays resident and the rest is spilled to DRAM
    /// (a write after the producer); consumers then need `resident(_:)` deps (a re-read).
    struct Tensor { var alloc: Int; var spill: Int?; var overflow: Int; var layer: Int; var head: Int? }

    /// `slot`: the tensor lives in an allocation reserved earlier (`reserve`), e.g. a head's
    /// scratch working set, instead of getting its own.
    mutating func tensor(_ buffer: BufferKind, bytes: Int, producer: Int, slot: Int? = nil) -> Tensor {
        let cap = hw.capacityBytes(buffer)
        let a = slot ?? reserve(buffer, bytes: bytes, producer: producer)
        let p = g.tasks[producer]
        var spill: Int? = nil
        if bytes > cap {
            let over = bytes - cap
            spill = add(.spill, layer: p.layer, head: p.head, unit: UnitID(.dram), bytes: over, deps: [producer],
                        ops: OpCounts(sramReads: over / hw.wordBytes, dramWriteBytes: over))
        }
        return Tensor(alloc: a, spill: spill, overflow: max(0, bytes - cap), layer: p.layer, head: p.head)
    }

    /// An allocation of min(bytes, capacity) made when `producer` starts.
    mutating func reserve(_ buffer: BufferKind, bytes: Int, producer: Int) -> Int {
        let a = g.allocations.count
        g.allocations.append(AllocationSpec(buffer: buffer, bytes: min(bytes, hw.capacityBytes(buffer)), producer: producer, consumers: []))
        g.tasks[producer].allocates.append(a)
        return a
    }

    /// Extra dependencies for a consumer of `t` (a re-read of the spilled part, if any).
    mutating func resident(_ t: Tensor) -> [Int] {
        guard let s = t.spill else { return [] }
        return [add(.reload, layer: t.layer, head: t.head, unit: UnitID(.dram), bytes: t.overflow, deps: [s],
                    ops: OpCounts(sramWrites: t.overflow / hw.wordBytes, dramReadBytes: t.overflow))]
    }

    mutating func consume(_ t: Tensor, by task: Int) { consume(slot: t.alloc, by: task) }
    mutating func consume(slot a: Int, by task: Int) {
        if !g.allocations[a].consumers.contains(task) { g.allocations[a].consumers.append(task) }
    }

    // MARK: timing rules (spec vitality §5.2); every pre/post-processor has initiation interval 1

    /// ACC/ADD/EXP/DIV-multiple over an r×c matrix with `lanes` lanes: r·⌈c/lanes⌉ + latency.
    func elementwise(rows r: Int, cols c: Int, lanes: Int, latency: Int) -> Int { r * ((c + lanes - 1) / lanes) + latency }
}
