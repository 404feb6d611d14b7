/// Sanger's attention for one head on the ViTALiTy hardware (spec sanger; tags [C] code,
/// [P] paper idea as the code has it, [R] Retort's choice):
/// 1. [C] Q and K fake-quantised to `predict_bits` (one scale multiply per element, ADD);
/// 2. [C] the predicted scores Q̃K̃ᵀ: a dense n×n×d pass at low precision on SA-General's
///    PEs, `predict_macs_per_pe` MACs per PE per cycle [R], plus the array's fill (R + C − 2);
/// 3. [C] softmax and threshold: exp (EXP) and row sums (ACC) of the predicted scores, then
///    `exp(s) > τ·Σ exp` per entry (one multiply per row, one compare per entry on ADD) [R: no
///    division needed]; the mask is written as bits;
/// 4. [P] pack-and-split: each row's kept entries packed into segments of ≤ `pes_per_row`
///    (per `ports`-wide vector); the PE array is SA-General's R·C PEs regrouped into
///    R·C / pes_per_row PE rows [R], each holding one segment (score-stationary);
/// 5. [P] sparse QKᵀ: per wave of PE rows, the d-element dot products stream through the
///    rows (d + pes − 1 cycles with skew) [R]; exp, row sums and division of the kept scores
///    (EXP, ACC, DIV) [C: the kept scores are recomputed at full precision and renormalised];
/// 6. [P] P·V on the same PE rows (d + pes − 1 cycles per wave) [R]; rows split into several
///    segments add their partial outputs (ADD) [R];
/// Q, K, V come from DRAM and Z goes back, as for the other two kinds. The predicted map lives
/// in scratch until the threshold has read it, the kept scores from QKᵀ to P·V; the mask bits
/// in the pack buffer (counted as SRAM words, not allocated) [R]. SRAM per wave [R]: the
/// Q rows of its segments and all n keys (or values) broadcast to the PE rows.
extension GraphBuilder {
    mutating func sangerHead(layer l: Int, head h: Int, chunk: Int, n: Int, d: Int, stats s: PackSplitStats,
                             config sc: SangerConfig, after: [Int]) -> Int {
        let b = hw.wordBytes
        let sa = UnitID(.saGeneral, chunk: chunk), acc = UnitID(.accumulator, chunk: chunk)
        let div = UnitID(.divider, chunk: chunk), addU = UnitID(.adder, chunk: chunk), expU = UnitID(.exp, chunk: chunk)
        let A = hw.accumulatorLanes, Ad = hw.adderLanes, D = hw.dividerLanes, E = hw.expLanes
        let accL = hw.accumulatorLatency, addL = hw.adderLatency, divL = hw.dividerLatency, expL = hw.expLatency
        let load = add(.loadQKV, layer: l, head: h, unit: UnitID(.dram), bytes: 3 * n * d * b, deps: after,
                       ops: OpCounts(sramWrites: 3 * n * d, dramReadBytes: 3 * n * d * b))
        let qkv = tensor(.input, bytes: 3 * n * d * b, producer: load)
        let inDeps = [load] + resident(qkv)
        // 1–2: prediction
        let lowWords = (2 * n * d * sc.predictBits + 15) / 16
        let quant = add(.predictQuantize, layer: l, head: h, unit: addU, duration: elementwise(rows: n, cols: 2 * d, lanes: Ad, latency: addL),
                        deps: inDeps, ops: OpCounts(muls: 2 * n * d, sramReads: 2 * n * d, sramWrites: lowWords))
        let work = SangerTiming.predictionWork(n: n, d: d, hw: hw, macsPerPE: sc.predictMacsPerPE)
        let pred = add(.predictQK, layer: l, head: h, unit: sa, duration: work.cycles, deps: [quant], firstOutput: hw.saRows,
                       ops: OpCounts(sramReads: lowWords, sramWrites: n * n, lowMacs: work.macs))
        let sHat = tensor(.scratch, bytes: n * n * b, producer: pred)
        // 3: softmax + threshold → mask
        let ex = add(.predictExp, layer: l, head: h, unit: expU, duration: elementwise(rows: n, cols: n, lanes: E, latency: expL),
                     deps: resident(sHat), stream: [pred], firstOutput: expL, tail: expL,
                     ops: OpCounts(exps: n * n, sramReads: n * n, sramWrites: n * n))
        let rs = add(.predictRowSum, layer: l, head: h, unit: acc, duration: elementwise(rows: n, cols: n, lanes: A, latency: accL),
                     stream: [ex], tail: accL, ops: OpCounts(adds: n * n, sramReads: n * n, sramWrites: n))
        let maskWords = (n * n + 8 * b - 1) / (8 * b)
        let th = add(.threshold, layer: l, head: h, unit: addU, duration: elementwise(rows: n, cols: n, lanes: Ad, latency: addL),
                     deps: [rs], ops: OpCounts(adds: n * n, muls: n, sramReads: n * n + n, sramWrites: maskWords))
        for t in [ex, rs, th] { consume(sHat, by: t) }
        // The mask bits stay in the PE rows' pack buffer [R] (no scratch allocation: a head
        // holding its predicted map must never wait for space for its own mask).
        // 4–6: the sparse pass on PE rows
        let p = SangerTiming.sparsePass(n: n, d: d, stats: s, hw: hw, config: sc)
        let kept = s.kept
        let sqk = add(.sparseQK, layer: l, head: h, unit: sa, duration: p.cycles, deps: [th], firstOutput: p.perWave,
                      ops: OpCounts(macs: kept * d, sramReads: maskWords + p.slots * d + p.waves * n * d, sramWrites: kept))
        let scores = tensor(.scratch, bytes: kept * b, producer: sqk)
        let kex = add(.sparseExp, layer: l, head: h, unit: expU, duration: elementwise(rows: 1, cols: kept, lanes: E, latency: expL),
                      deps: resident(scores), stream: [sqk], firstOutput: expL, tail: expL,
                      ops: OpCounts(exps: kept, sramReads: kept, sramWrites: kept))
        let krs = add(.sparseRowSum, layer: l, head: h, unit: acc, duration: elementwise(rows: 1, cols: kept, lanes: A, latency: accL),
                      stream: [kex], tail: accL, ops: OpCounts(adds: kept, sramReads: kept, sramWrites: n))
        let kdiv = add(.sparseDivide, layer: l, head: h, unit: div, duration: elementwise(rows: 1, cols: kept, lanes: D, latency: divL),
                       deps: [krs], ops: OpCounts(divs: kept, sramReads: kept + n, sramWrites: kept))
        let spv = add(.sparsePV, layer: l, head: h, unit: sa, duration: p.cycles, deps: [kdiv], firstOutput: p.perWave,
                      ops: OpCounts(macs: kept * d, sramReads: maskWords + kept + p.waves * n * d, sramWrites: s.segments * d))
        for t in [kex, krs, kdiv, spv] { consume(scores, by: t) }
        let merges = max(0, s.segments - s.nonEmptyRows)
        let mg = add(.mergePartials, layer: l, head: h, unit: addU, duration: elementwise(rows: merges, cols: d, lanes: Ad, latency: addL),
                     stream: [spv], firstOutput: addL, tail: addL,
                     ops: OpCounts(adds: merges * d, sramReads: s.segments * d, sramWrites: n * d))
        for t in [quant, sqk, spv] { consume(qkv, by: t) }
        let z = tensor(.output, bytes: n * d * b, producer: mg)
        let store = add(.storeOutput, layer: l, head: h, unit: UnitID(.dram), bytes: n * d * b, deps: [mg] + resident(z),
                        ops: OpCounts(sramReads: n * d, dramWriteBytes: n * d * b))
        consume(z, by: store)
        return store
    }

}

/// Sanger's pass timings in closed form (the task graph's durations; tested by hand).
public enum SangerTiming {
    /// The prediction pass: n·n·d low-precision MACs at R·C·`macsPerPE` per cycle, plus the
    /// array fill R + C − 2.
    public static func predictionWork(n: Int, d: Int, hw: AcceleratorHardware, macsPerPE: Int) -> (macs: Int, cycles: Int) {
        let macs = n * n * d, rate = hw.saRows * hw.saCols * macsPerPE
        return (macs, (macs + rate - 1) / rate + hw.saRows + hw.saCols - 2)
    }

    /// The sparse QKᵀ (or P·V) pass: `slots` segments (plus the empty vectors without
    /// skipping) over R·C / pes PE rows in `waves`, each `perWave` = d + pes − 1 cycles.
    public static func sparsePass(n: Int, d: Int, stats s: PackSplitStats, hw: AcceleratorHardware, config sc: SangerConfig)
        -> (slots: Int, peRows: Int, waves: Int, perWave: Int, cycles: Int) {
        let slots = s.segments + (sc.skipEmptyVectors ? 0 : s.emptyVectors)
        let peRows = max(1, hw.saRows * hw.saCols / sc.pesPerRow)
        let waves = (slots + peRows - 1) / peRows, perWave = d + sc.pesPerRow - 1
        return (slots, peRows, waves, perWave, waves * perWave)
    }
}
