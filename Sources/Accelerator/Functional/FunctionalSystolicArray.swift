/// What the functional array did in one cycle (for observers and tests).
public struct FunctionalCycle {
    /// Global 0-based cycle.
    public var cycle: Int
    public var fold: Int
    /// Row-major R×C mask: PEs that performed a MAC this cycle.
    public var macMask: [Bool]
}

public struct FunctionalRun: Sendable {
    public var product: Matrix
    /// 0-based index of the last cycle (SCALE-Sim's "Total Cycles" convention).
    public var totalCycles: Int
    public var macs: Int
}

/// A value-level systolic array: operands move through PE registers one hop per cycle
/// and the product is whatever the PEs accumulate. Supports all three SCALE-Sim dataflows
/// with SCALE-Sim's fold order and fold lengths, so its cycle count equals `ScaleSimModel`.
///
/// - OS: A rows enter from the left (row r skewed by r), B columns from the top (column c
///   skewed by c); each PE accumulates its own C[m][n]. Results are read from the
///   accumulators at the end of the fold (SCALE-Sim does not charge the drain either).
/// - WS / IS: an R-cycle preload shifts the stationary tile in from the top (bottom row
///   first); the streamed operand enters from the left (row r skewed by r) and partial sums
///   flow down ("down-forward"), leaving the bottom row into an accumulation buffer that adds
///   the partial results of successive reduction folds.
///   WS: stationary B[k][n], streamed A rows → C rows. IS: stationary Aᵀ (PE (r,c) holds
///   A[m0+c][k0+r]), streamed B columns → C columns.
/// - `overlappedPreload` (WS/IS): the next fold's stationary tile is shifted into shadow
///   registers during the current fold's stream, so only the first fold pays the preload
///   (the "pipelined" timing of the ViTALiTy model, not SCALE-Sim's).
public struct FunctionalSystolicArray: Sendable {
    public let array: ArrayShape
    public let dataflow: Dataflow
    public let overlappedPreload: Bool

    public init(array: ArrayShape, dataflow: Dataflow, overlappedPreload: Bool = false) {
        self.array = array; self.dataflow = dataflow
        self.overlappedPreload = overlappedPreload && dataflow.hasPreload
    }

    /// Total cycles this array takes for a GEMM (what `multiply` will count).
    public func expectedCycles(_ gemm: GemmShape) -> Int {
        let p = FoldPlan(gemm: gemm, array: array, dataflow: dataflow)
        if !overlappedPreload { return ScaleSimModel.totalCycles(rows: p.foldCount * p.foldLength) }
        return ScaleSimModel.totalCycles(rows: p.preloadCycles + p.foldCount * (p.foldLength - p.preloadCycles))
    }

    public func multiply(_ a: Matrix, _ b: Matrix, observer: ((FunctionalCycle) -> Void)? = nil) -> FunctionalRun {
        precondition(a.cols == b.rows, "inner dimensions differ")
        let plan = FoldPlan(gemm: GemmShape(m: a.rows, k: a.cols, n: b.cols), array: array, dataflow: dataflow)
        var c = Matrix(rows: a.rows, cols: b.cols)
        var cycle = 0, macs = 0
        if dataflow == .outputStationary {
            for fi in 0..<plan.foldCount {
                runOSFold(plan, plan.fold(fi), a, b, &c, &cycle, &macs, observer)
            }
        } else {
            var shadow: ([Double], [Bool])? = nil
            for fi in 0..<plan.foldCount {
                let next = fi + 1 < plan.foldCount && overlappedPreload ? plan.fold(fi + 1) : nil
                shadow = runStationaryFold(plan, plan.fold(fi), next: next, preloaded: shadow,
                                           a, b, &c, &cycle, &macs, observer)
            }
        }
        return FunctionalRun(product: c, totalCycles: ScaleSimModel.totalCycles(rows: cycle), macs: macs)
    }

    // MARK: output stationary

    private func runOSFold(_ p: FoldPlan, _ f: FoldPlan.Fold, _ a: Matrix, _ b: Matrix, _ out: inout Matrix,
                           _ cycle: inout Int, _ macs: inout Int, _ observer: ((FunctionalCycle) -> Void)?) {
        let R = array.rows, C = array.cols, T = p.t
        var aReg = [Double](repeating: 0, count: R * C), aOk = [Bool](repeating: false, count: R * C)
        var bReg = aReg, bOk = aOk, acc = aReg
        var mask = [Bool](repeating: false, count: R * C)
        for i in 0..<p.foldLength {
            let aOld = aReg, aOldOk = aOk, bOld = bReg, bOldOk = bOk
            for r in 0..<R {
                for col in 0..<C {
                    let x = r * C + col
                    var av = 0.0, aValid = false, bv = 0.0, bValid = false
                    if col == 0 {
                        let t = i - r
                        if r < f.rowsUsed, t >= 0, t < T { av = a[f.srStart + r, t]; aValid = true }
                    } else { av = aOld[x - 1]; aValid = aOldOk[x - 1] }
                    if r == 0 {
                        let t = i - col
                        if col < f.colsUsed, t >= 0, t < T { bv = b[t, f.scStart + col]; bValid = true }
                    } else { bv = bOld[x - C]; bValid = bOldOk[x - C] }
                    aReg[x] = av; aOk[x] = aValid; bReg[x] = bv; bOk[x] = bValid
                    let fire = aValid && bValid
                    if fire { acc[x] += av * bv; macs += 1 }
                    mask[x] = fire
                }
            }
            observer?(FunctionalCycle(cycle: cycle, fold: f.index, macMask: mask))
            cycle += 1
        }
        for r in 0..<f.rowsUsed { for col in 0..<f.colsUsed { out[f.srStart + r, f.scStart + col] = acc[r * C + col] } }
    }

    // MARK: weight / input stationary (down-forward partial sums)

    /// Stationary element held by PE (r, c) of fold `f`, or nil if that PE is unused.
    private func stationary(_ f: FoldPlan.Fold, _ r: Int, _ col: Int, _ a: Matrix, _ b: Matrix) -> Double? {
        guard r < f.rowsUsed, col < f.colsUsed else { return nil }
        return dataflow == .weightStationary ? b[f.srStart + r, f.scStart + col] : a[f.scStart + col, f.srStart + r]
    }

    /// Streamed element entering PE row r at stream step t.
    private func streamed(_ f: FoldPlan.Fold, _ r: Int, _ t: Int, _ a: Matrix, _ b: Matrix) -> Double {
        dataflow == .weightStationary ? a[t, f.srStart + r] : b[f.srStart + r, t]
    }

    /// Shifts one row of a tile into a weight shift register (top row first in, bottom row ends lowest).
    private func shiftIn(_ regs: inout [Double], _ ok: inout [Bool], _ f: FoldPlan.Fold, step j: Int,
                         _ a: Matrix, _ b: Matrix) {
        let R = array.rows, C = array.cols
        for r in stride(from: R - 1, to: 0, by: -1) {
            for col in 0..<C { regs[r * C + col] = regs[(r - 1) * C + col]; ok[r * C + col] = ok[(r - 1) * C + col] }
        }
        for col in 0..<C {
            if let v = stationary(f, R - 1 - j, col, a, b) { regs[col] = v; ok[col] = true }
            else { regs[col] = 0; ok[col] = false }
        }
    }

    /// Runs one fold; returns the next fold's tile (values, valid flags) if it was shifted into
    /// shadow registers during this fold's stream.
    private func runStationaryFold(_ p: FoldPlan, _ f: FoldPlan.Fold, next: FoldPlan.Fold?, preloaded: ([Double], [Bool])?,
                                   _ a: Matrix, _ b: Matrix, _ out: inout Matrix,
                                   _ cycle: inout Int, _ macs: inout Int,
                                   _ observer: ((FunctionalCycle) -> Void)?) -> ([Double], [Bool])? {
        let R = array.rows, C = array.cols, T = p.t
        var w = [Double](repeating: 0, count: R * C), wOk = [Bool](repeating: false, count: R * C)
        var mask = [Bool](repeating: false, count: R * C)
        if let preloaded {
            (w, wOk) = preloaded  // shifted in during the previous fold's stream
        } else {
            // Preload: R cycles, one tile row enters the top per cycle.
            for j in 0..<R {
                shiftIn(&w, &wOk, f, step: j, a, b)
                observer?(FunctionalCycle(cycle: cycle, fold: f.index, macMask: mask))
                cycle += 1
            }
        }
        var shadow = [Double](repeating: 0, count: R * C), shadowOk = shadow.map { _ in false }
        var aReg = [Double](repeating: 0, count: R * C), aOk = [Bool](repeating: false, count: R * C)
        var psum = [Double](repeating: 0, count: R * C)
        let streamLength = T + R + C - 2
        for s in 0..<streamLength {
            if let next, s < R { shiftIn(&shadow, &shadowOk, next, step: s, a, b) }
            let aOld = aReg, aOldOk = aOk, pOld = psum
            for r in 0..<R {
                for col in 0..<C {
                    let x = r * C + col
                    var av = 0.0, aValid = false
                    if col == 0 {
                        let t = s - r
                        if r < f.rowsUsed, t >= 0, t < T { av = streamed(f, r, t, a, b); aValid = true }
                    } else { av = aOld[x - 1]; aValid = aOldOk[x - 1] }
                    aReg[x] = av; aOk[x] = aValid
                    let fire = aValid && wOk[x]
                    psum[x] = (r == 0 ? 0 : pOld[x - C]) + (fire ? av * w[x] : 0)
                    if fire { macs += 1 }
                    mask[x] = fire
                }
            }
            // Bottom row: column col finishes stream step t = s − (R−1) − col.
            for col in 0..<f.colsUsed {
                let t = s - (R - 1) - col
                guard t >= 0, t < T else { continue }
                let v = psum[(R - 1) * C + col]
                if dataflow == .weightStationary { out[t, f.scStart + col] += v }
                else { out[f.scStart + col, t] += v }
            }
            observer?(FunctionalCycle(cycle: cycle, fold: f.index, macMask: mask))
            cycle += 1
        }
        return next == nil ? nil : (shadow, shadowOk)
    }
}
