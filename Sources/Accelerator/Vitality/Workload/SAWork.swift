/// What one PE is doing in a cycle.
public enum PEActivity: UInt8, Sendable {
    case idle = 0
    /// Shifting a stationary tile in (preload).
    case loading = 1
    /// Multiply-accumulate.
    case mac = 2
}

/// One stationary tile on a systolic array: preload (if charged), then `stream` rows
/// enter with skew and the partial sums flow down (spec vitality §5.2: per tile
/// `M_s + R + C − 2` cycles plus an R-cycle preload unless it is hidden by double buffering).
public struct SATile: Sendable, Hashable {
    /// Offset of the tile's first cycle within its task.
    public var start: Int
    public var preload: Int
    public var stream: Int
    public var rowsUsed: Int, colsUsed: Int
    /// Index along the reduction (array rows) and output (array columns) dimensions.
    public var reductionIndex: Int, columnIndex: Int
}

/// A GEMM `(M_s × Kr)·(Kr × Nc)` on an R×C stationary-operand array with down-forward
/// accumulation: ⌈Kr/R⌉·⌈Nc/C⌉ tiles, column tile outer, reduction tile inner.
public struct SAWork: Sendable, Hashable {
    public var rows: Int, cols: Int
    public var tiles: [SATile]
    public var duration: Int
    public var macs: Int

    public init(ms: Int, kr: Int, nc: Int, rows: Int, cols: Int, doubleBuffered: Bool, chargeFirstPreload: Bool = true) {
        self.rows = rows; self.cols = cols
        var t: [SATile] = [], at = 0, macs = 0
        let kt = (kr + rows - 1) / rows, ct = (nc + cols - 1) / cols
        for j in 0..<ct {
            for i in 0..<kt {
                let first = t.isEmpty
                let pre = (first ? chargeFirstPreload : !doubleBuffered) ? rows : 0
                let ru = min(rows, kr - i * rows), cu = min(cols, nc - j * cols)
                t.append(SATile(start: at, preload: pre, stream: ms, rowsUsed: ru, colsUsed: cu, reductionIndex: i, columnIndex: j))
                at += pre + ms + rows + cols - 2
                macs += ms * ru * cu
            }
        }
        tiles = t; duration = at; self.macs = macs
    }

    /// Offset at which the first complete output row leaves the array: R cycles into the
    /// stream of the first tile that finishes a reduction.
    public var firstOutput: Int {
        let t = tiles.first { $0.reductionIndex == tiles.map(\.reductionIndex).max()! }!
        return t.start + t.preload + rows
    }

    /// SRAM words: stationary reads, streamed reads, output writes, partial-sum reads.
    public var sramReads: Int { tiles.reduce(0) { $0 + $1.rowsUsed * $1.colsUsed + $1.stream * $1.rowsUsed + ($1.reductionIndex > 0 ? $1.stream * $1.colsUsed : 0) } }
    public var sramWrites: Int { tiles.reduce(0) { $0 + $1.stream * $1.colsUsed } }

    func tileIndex(at offset: Int) -> Int? {
        guard offset >= 0, offset < duration else { return nil }
        var lo = 0, hi = tiles.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if tiles[mid].start <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// Activity of PE (r, c) `offset` cycles into the task. The wavefront: the streamed row
    /// τ reaches PE (r, c) at `τ + r + c` after the preload.
    @inline(__always)
    public func activity(row r: Int, col c: Int, offset: Int) -> PEActivity {
        guard let ti = tileIndex(at: offset) else { return .idle }
        return activity(tiles[ti], row: r, col: c, local: offset - tiles[ti].start)
    }

    @inline(__always)
    func activity(_ t: SATile, row r: Int, col c: Int, local: Int) -> PEActivity {
        guard r < t.rowsUsed, c < t.colsUsed else { return .idle }
        if local < t.preload { return r <= local ? .loading : .idle }
        let tau = local - t.preload - r - c
        return tau >= 0 && tau < t.stream ? .mac : .idle
    }

    /// Row-major R×C activity map `offset` cycles into the task.
    public func activityMap(offset: Int) -> [PEActivity] {
        var m = [PEActivity](repeating: .idle, count: rows * cols)
        guard let ti = tileIndex(at: offset) else { return m }
        let t = tiles[ti], local = offset - t.start
        for r in 0..<t.rowsUsed { for c in 0..<t.colsUsed { m[r * cols + c] = activity(t, row: r, col: c, local: local) } }
        return m
    }

    /// PEs doing a MAC `offset` cycles into the task (O(rows)).
    public func busyPEs(offset: Int) -> Int {
        guard let ti = tileIndex(at: offset) else { return 0 }
        let t = tiles[ti], local = offset - t.start
        guard local >= t.preload else { return 0 }
        let base = local - t.preload
        var n = 0
        for r in 0..<t.rowsUsed {
            let lo = max(0, base - r - t.stream + 1), hi = min(t.colsUsed - 1, base - r)
            if hi >= lo { n += hi - lo + 1 }
        }
        return n
    }
}
