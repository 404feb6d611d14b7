/// One layer's numbers as SCALE-Sim reports them in COMPUTE_REPORT.csv (CALC mode).
public struct SystolicResult: Sendable, Hashable {
    /// "Total Cycles": the 0-based cycle index of the last ofmap demand row.
    public var totalCycles: Int
    /// Always 0 in CALC mode (reads never stall).
    public var stallCycles: Int
    /// `100 · MACs / (totalCycles · R · C)`.
    public var overallUtil: Double
    /// Mean over folds of used PEs / (R · C), in %.
    public var mappingEfficiency: Double
    /// Mean over folds of `used PEs · T / (R · C · F)`, in %, with SCALE-Sim's F.
    public var computeUtil: Double
    public var folds: Int
    public var macs: Int
}

/// SCALE-Sim 3.0.0's timing, reproduced exactly (spec scalesim §4): serial folds of equal
/// length, one global −1, utilisations summed in SCALE-Sim's fold order so the percentages
/// agree to the last bit.
public enum ScaleSimModel {
    public static func run(_ gemm: GemmShape, on array: ArrayShape, dataflow: Dataflow) -> SystolicResult {
        run(FoldPlan(gemm: gemm, array: array, dataflow: dataflow))
    }

    /// "Total Cycles" of a layer of `rows` demand rows: the 0-based index of the last one,
    /// rows − 1 (spec scalesim §3.2) — except for a layer of a single row (only a 1×1×1 GEMM
    /// on a 1×1 array, OS), which takes 1 cycle: rows − 1 would be 0, and SCALE-Sim itself
    /// then divides by zero for its overall utilisation (reported here as 100 %, not inf).
    /// Every other count is SCALE-Sim's exactly.
    public static func totalCycles(rows: Int) -> Int { max(1, rows - 1) }

    public static func run(_ plan: FoldPlan) -> SystolicResult {
        let cycles = totalCycles(rows: plan.foldCount * plan.foldLength)
        return SystolicResult(totalCycles: cycles, stallCycles: 0,
                              overallUtil: overallUtil(macs: plan.gemm.macs, cycles: cycles, array: plan.array),
                              mappingEfficiency: mappingEfficiency(plan), computeUtil: computeUtil(plan),
                              folds: plan.foldCount, macs: plan.gemm.macs)
    }

    /// Closed-form Total Cycles only.
    public static func cycles(_ gemm: GemmShape, on array: ArrayShape, dataflow: Dataflow) -> Int {
        let p = FoldPlan(gemm: gemm, array: array, dataflow: dataflow)
        return totalCycles(rows: p.foldCount * p.foldLength)
    }

    static func overallUtil(macs: Int, cycles: Int, array: ArrayShape) -> Double {
        // Python: (num_compute * 100) / (total_cycles * num_mac_unit), exact ints then one rounding
        // (in Double once the products leave Int: only GEMMs far beyond any real layer).
        let (num, o1) = macs.multipliedReportingOverflow(by: 100)
        let (den, o2) = cycles.multipliedReportingOverflow(by: array.pes)
        return o1 || o2 ? Double(macs) * 100 / (Double(cycles) * Double(array.pes)) : Double(num) / Double(den)
    }

    /// Folds up to which the utilisations are summed fold by fold, as SCALE-Sim does (and so
    /// bit for bit as it rounds); above it the exact sums Σ rows·cols = Sr·Sc are used, so the
    /// closed form takes constant time for any size.
    public static let foldByFoldLimit = 1 << 14

    public static func mappingEfficiency(_ p: FoldPlan) -> Double {
        let pes = Double(p.array.pes)
        if p.foldCount > foldByFoldLimit { return Double(p.sr) * Double(p.sc) / pes / Double(p.foldCount) * 100 }
        var sum = 0.0
        forEachFold(p) { ru, cu in sum += Double(ru * cu) / pes }
        return sum / Double(p.foldCount) * 100
    }

    public static func computeUtil(_ p: FoldPlan) -> Double {
        let denom = Double(p.array.pes) * Double(p.computeUtilDenominator)
        if p.foldCount > foldByFoldLimit { return Double(p.sr) * Double(p.sc) * Double(p.t) / denom / Double(p.foldCount) * 100 }
        var sum = 0.0
        forEachFold(p) { ru, cu in sum += Double(ru * cu * p.t) / denom }
        return sum / Double(p.foldCount) * 100
    }

    /// Used rows × cols of every fold, in SCALE-Sim order (column fold outer).
    @inline(__always)
    public static func forEachFold(_ p: FoldPlan, _ body: (Int, Int) -> Void) {
        for fc in 0..<p.colFolds {
            let cu = min(p.array.cols, p.sc - fc * p.array.cols)
            for fr in 0..<p.rowFolds { body(min(p.array.rows, p.sr - fr * p.array.rows), cu) }
        }
    }
}
