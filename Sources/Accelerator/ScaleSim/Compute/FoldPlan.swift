/// How SCALE-Sim maps a GEMM onto an array (spec scalesim §3.1): the spatial dimensions
/// Sr (over array rows) and Sc (over array columns), the streamed dimension T, and the
/// serial folds, column fold outer and row fold inner.
public struct FoldPlan: Sendable, Hashable {
    public let gemm: GemmShape
    public let array: ArrayShape
    public let dataflow: Dataflow
    /// Spread over rows / columns / streamed in time.
    public let sr: Int, sc: Int, t: Int
    public let rowFolds: Int, colFolds: Int

    public init(gemm: GemmShape, array: ArrayShape, dataflow: Dataflow) {
        self.gemm = gemm; self.array = array; self.dataflow = dataflow
        switch dataflow {
        case .outputStationary: (sr, sc, t) = (gemm.m, gemm.n, gemm.k)
        case .weightStationary: (sr, sc, t) = (gemm.k, gemm.n, gemm.m)
        case .inputStationary: (sr, sc, t) = (gemm.k, gemm.m, gemm.n)
        }
        rowFolds = (sr + array.rows - 1) / array.rows
        colFolds = (sc + array.cols - 1) / array.cols
    }

    public var foldCount: Int { rowFolds * colFolds }

    /// Demand rows per fold (every fold of a layer has the same length):
    /// OS `T + R + C − 2`; WS/IS `2R + C + T − 2` (an R-cycle preload first).
    public var foldLength: Int {
        let r = array.rows, c = array.cols
        return dataflow == .outputStationary ? t + r + c - 2 : 2 * r + c + t - 2
    }

    /// SCALE-Sim's per-fold compute-utilisation denominator: the fold length for OS, but
    /// `2R + 2C + T − 3` (filter-demand rows + C − 1) for WS and IS.
    public var computeUtilDenominator: Int {
        let r = array.rows, c = array.cols
        return dataflow == .outputStationary ? t + r + c - 2 : 2 * r + 2 * c + t - 3
    }

    /// Cycles before the first MAC of a fold (the stationary-operand preload).
    public var preloadCycles: Int { dataflow.hasPreload ? array.rows : 0 }

    /// One fold: which row/column chunk it covers and how many PEs it uses.
    public struct Fold: Sendable, Hashable {
        public let index: Int, rowFold: Int, colFold: Int
        /// PE rows / columns holding real data (the rest idle on this fold).
        public let rowsUsed: Int, colsUsed: Int
        /// First element of Sr / Sc covered by this fold.
        public var srStart: Int, scStart: Int
    }

    /// Fold `index` in SCALE-Sim order (column fold outer, row fold inner).
    public func fold(_ index: Int) -> Fold {
        precondition(index >= 0 && index < foldCount, "fold index out of range")
        let fc = index / rowFolds, fr = index % rowFolds
        let r0 = fr * array.rows, c0 = fc * array.cols
        return Fold(index: index, rowFold: fr, colFold: fc,
                    rowsUsed: min(array.rows, sr - r0), colsUsed: min(array.cols, sc - c0),
                    srStart: r0, scStart: c0)
    }

    /// Is PE (row, col) doing a MAC at `localCycle` of `fold`? The systolic wavefront:
    /// the operand streamed at time-step τ reaches PE (r, c) at `preload + τ + r + c`.
    @inline(__always)
    public func peBusy(fold: Fold, row: Int, col: Int, localCycle i: Int) -> Bool {
        guard row < fold.rowsUsed, col < fold.colsUsed else { return false }
        let tau = i - preloadCycles - row - col
        return tau >= 0 && tau < t
    }

    /// Number of PEs doing a MAC at `localCycle` of `fold` (O(rows)).
    public func busyPEs(fold: Fold, localCycle i: Int) -> Int {
        let base = i - preloadCycles
        var n = 0
        for r in 0..<fold.rowsUsed {
            // c in [base − r − T + 1, base − r] ∩ [0, colsUsed − 1]
            let lo = max(0, base - r - t + 1), hi = min(fold.colsUsed - 1, base - r)
            if hi >= lo { n += hi - lo + 1 }
        }
        return n
    }
}
