/// The size of a workload's task graph, bounded from above without building it, so that an
/// absurd shape is refused before it takes gigabytes (`SizeLimits.vitTasks`, `vitTiles`).
public struct WorkloadSize: Sendable, Hashable {
    /// Tasks `TaskGraph.build` makes (at most).
    public var tasks: Int
    /// Stationary SA tiles over all tasks (at most): each is stored with its task.
    public var tiles: Int

    /// At most this many tasks per head: the Taylor DAG has 13 or 14 (10 or 11 with k̂_sum skipped), softmax's 7, Sanger's
    /// 13 plus a spill and a reload per tensor that overflows its buffer.
    static func tasksPerHead(_ a: AttentionKind) -> Int {
        switch a { case .taylor: return 16; case .softmax: return 8; case .sanger: return 24 }
    }

    public init(_ w: AcceleratorWorkload, hardware hw: AcceleratorHardware) {
        let m = w.model, n = m.tokens, d = m.headDim, C = m.embed, R = hw.saRows, Ca = hw.saCols
        func cdiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
        let headTiles: Int
        switch w.attention {
        case .taylor:
            headTiles = cdiv(n, R) * cdiv(d, Ca) + cdiv(d, R) * cdiv(d, Ca) + (w.taylor.kSum == .compute ? cdiv(d, hw.saDiagRows) : 0)
        case .softmax: headTiles = cdiv(d, R) * cdiv(n, Ca) + cdiv(n, R) * cdiv(d, Ca)
        case .sanger: headTiles = 0   // the prediction and sparse passes are not tiled
        }
        var layerTasks = m.heads * Self.tasksPerHead(w.attention), layerTiles = m.heads * headTiles
        if w.includeLinear {
            for (k, out) in [(C, 3 * C), (C, C), (C, m.mlpRatio * C), (m.mlpRatio * C, C)] {
                let kt = cdiv(k, R), ct = cdiv(out, Ca)
                layerTasks += 2 * kt * ct + ct + 1
                layerTiles += kt * ct
            }
        }
        tasks = layerTasks * w.layerCount
        tiles = layerTiles * w.layerCount
    }
}
