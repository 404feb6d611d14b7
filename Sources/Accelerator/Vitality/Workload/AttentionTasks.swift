/// Per-head task DAGs for Taylor and softmax attention (spec vitality §1.2, §4.2, §5.2).
extension GraphBuilder {
    /// ViTALiTy's six steps for one head, in the centring and k̂_sum mode of `variant`.
    /// Returns the task that stores Z.
    mutating func taylorHead(layer l: Int, head h: Int, chunk: Int, n: Int, d: Int, variant: TaylorVariant, after: [Int]) -> Int {
        let b = hw.wordBytes
        let sa = UnitID(.saGeneral, chunk: chunk), diag = UnitID(.saDiag, chunk: chunk)
        let acc = UnitID(.accumulator, chunk: chunk), div = UnitID(.divider, chunk: chunk), addU = UnitID(.adder, chunk: chunk)
        let A = hw.accumulatorLanes, Ad = hw.adderLanes, D = hw.dividerLanes
        let accL = hw.accumulatorLatency, addL = hw.adderLatency, divL = hw.dividerLatency
        let computeKSum = variant.kSum == .compute

        let load = add(.loadQKV, layer: l, head: h, unit: UnitID(.dram), bytes: 3 * n * d * b, deps: after,
                       ops: OpCounts(sramWrites: 3 * n * d, dramReadBytes: 3 * n * d * b))
        let qkv = tensor(.input, bytes: 3 * n * d * b, producer: load)
        let inDeps = [load] + resident(qkv)
        // Step 1: K̂ = K − mean, over the tokens (d column means) or over the head dimension (n row means)
        let sums: Int, means: Int
        switch variant.centring {
        case .tokens:
            // 1ᵀK: one column per lane, the n rows streamed
            sums = add(.kColumnSum, layer: l, head: h, unit: acc, duration: elementwise(rows: n, cols: d, lanes: A, latency: accL),
                       deps: inDeps, ops: OpCounts(adds: n * d, sramReads: n * d, sramWrites: d))
            means = d
        case .head:
            // K·1_d: one token per lane, its d entries streamed (K read column by column):
            // ⌈n/A⌉ groups of d cycles
            sums = add(.kRowSum, layer: l, head: h, unit: acc, duration: elementwise(rows: d, cols: n, lanes: A, latency: accL),
                       deps: inDeps, ops: OpCounts(adds: n * d, sramReads: n * d, sramWrites: n))
            means = n
        }
        // ÷ n or ÷ d: single-divisor mode over the `means` sums
        let mean = add(.kMean, layer: l, head: h, unit: div, duration: (means + D - 1) / D + divL, deps: [sums],
                       ops: OpCounts(divs: means, sramReads: means, sramWrites: means))
        let center = add(.kCenter, layer: l, head: h, unit: addU, duration: elementwise(rows: n, cols: d, lanes: Ad, latency: addL),
                         deps: [mean], firstOutput: addL, ops: OpCounts(adds: n * d, sramReads: n * d + means, sramWrites: n * d))
        // K̂ and G share one scratch slot reserved when the centring starts (freed after Q·G), so
        // the SA tasks never wait for buffer space and heads cannot deadlock each other;
        // T_N gets its own allocation when the numerator add starts.
        let slot = reserve(.scratch, bytes: (n * d + d * d) * b, producer: center)
        let kHat = tensor(.scratch, bytes: n * d * b, producer: center, slot: slot)
        // Step 3 (v_sum needs only V; k̂_sum streams behind the centring)
        let vsum = add(.vSum, layer: l, head: h, unit: acc, duration: elementwise(rows: n, cols: d, lanes: A, latency: accL),
                       deps: inDeps, ops: OpCounts(adds: n * d, sramReads: n * d, sramWrites: d))
        let khsum = computeKSum
            ? add(.kHatSum, layer: l, head: h, unit: acc, duration: elementwise(rows: n, cols: d, lanes: A, latency: accL),
                  stream: [center], tail: accL, ops: OpCounts(adds: n * d, sramReads: n * d, sramWrites: d))
            : nil
        // Step 2: G = K̂ᵀV, V stationary, token tiles accumulate down the columns
        let kvWork = SAWork(ms: d, kr: n, nc: d, rows: hw.saRows, cols: hw.saCols, doubleBuffered: hw.saDoubleBuffered)
        let kv = add(.kvGemm, layer: l, head: h, unit: sa, duration: kvWork.duration, deps: [center] + resident(kHat),
                     firstOutput: kvWork.firstOutput,
                     ops: OpCounts(macs: kvWork.macs, sramReads: kvWork.sramReads, sramWrites: kvWork.sramWrites), sa: kvWork)
        let gT = tensor(.scratch, bytes: d * d * b, producer: kv, slot: slot)
        consume(kHat, by: kv)
        // Step 4: t_D = n√d + Q·k̂_sumᵀ (SA-Diag, k̂_sum stationary); skipped: t_D = n√d
        var den: Int? = nil, qk: Int? = nil
        if let khsum {
            consume(kHat, by: khsum)
            let diagWork = SAWork(ms: n, kr: d, nc: 1, rows: hw.saDiagRows, cols: 1, doubleBuffered: hw.saDoubleBuffered)
            let p = add(.qkDiag, layer: l, head: h, unit: diag, duration: diagWork.duration, deps: [khsum],
                        firstOutput: diagWork.firstOutput,
                        ops: OpCounts(macs: diagWork.macs, sramReads: diagWork.sramReads, sramWrites: diagWork.sramWrites), sa: diagWork)
            den = add(.denominatorAdd, layer: l, head: h, unit: addU, duration: elementwise(rows: n, cols: 1, lanes: Ad, latency: addL),
                      stream: [p], firstOutput: addL, tail: addL, ops: OpCounts(adds: n, sramReads: n, sramWrites: n))
            qk = p
        }
        // t_D goes straight into the divider's shifting chain of Divisor Regs (no SRAM).
        // Step 5: T_N = √d·v_sum + Q·G (G stationary)
        let qgWork = SAWork(ms: n, kr: d, nc: d, rows: hw.saRows, cols: hw.saCols, doubleBuffered: hw.saDoubleBuffered)
        let qg = add(.qgGemm, layer: l, head: h, unit: sa, duration: qgWork.duration, deps: [kv] + resident(gT),
                     firstOutput: qgWork.firstOutput,
                     ops: OpCounts(macs: qgWork.macs, sramReads: qgWork.sramReads, sramWrites: qgWork.sramWrites), sa: qgWork)
        consume(gT, by: qg)
        let num = add(.numeratorAdd, layer: l, head: h, unit: addU, duration: elementwise(rows: n, cols: d, lanes: Ad, latency: addL),
                      deps: [vsum], stream: [qg], firstOutput: addL, tail: addL,
                      ops: OpCounts(adds: n * d, muls: d, sramReads: n * d + d, sramWrites: n * d))
        let tN = tensor(.scratch, bytes: n * d * b, producer: num)
        // Step 6: Z = diag(t_D)⁻¹·T_N, streamed behind both adds (multiple-divisor mode, one t_D
        // per row); skipped k̂_sum: T_N / (n√d), single-divisor mode, behind the numerator alone
        let rdiv = add(.rowDivide, layer: l, head: h, unit: div, duration: elementwise(rows: n, cols: d, lanes: D, latency: divL),
                       deps: resident(tN), stream: [num] + (den.map { [$0] } ?? []), firstOutput: divL, tail: divL,
                       ops: OpCounts(divs: n * d, sramReads: n * d + (den == nil ? 0 : n), sramWrites: n * d))
        consume(tN, by: rdiv)
        for t in [sums, vsum, kv, qk, qg].compactMap({ $0 }) { consume(qkv, by: t) }
        let z = tensor(.output, bytes: n * d * b, producer: rdiv)
        let store = add(.storeOutput, layer: l, head: h, unit: UnitID(.dram), bytes: n * d * b, deps: [rdiv] + resident(z),
                        ops: OpCounts(sramReads: n * d, dramWriteBytes: n * d * b))
        consume(z, by: store)
        return store
    }

    /// Softmax attention for one head on the same hardware plus an exp array.
    mutating func softmaxHead(layer l: Int, head h: Int, chunk: Int, n: Int, d: Int, after: [Int]) -> Int {
        let b = hw.wordBytes
        let sa = UnitID(.saGeneral, chunk: chunk), acc = UnitID(.accumulator, chunk: chunk)
        let div = UnitID(.divider, chunk: chunk), addU = UnitID(.adder, chunk: chunk), expU = UnitID(.exp, chunk: chunk)
        let load = add(.loadQKV, layer: l, head: h, unit: UnitID(.dram), bytes: 3 * n * d * b, deps: after,
                       ops: OpCounts(sramWrites: 3 * n * d, dramReadBytes: 3 * n * d * b))
        let qkv = tensor(.input, bytes: 3 * n * d * b, producer: load)
        // S = QKᵀ: Kᵀ stationary (d × n), Q rows streamed
        let qkWork = SAWork(ms: n, kr: d, nc: n, rows: hw.saRows, cols: hw.saCols, doubleBuffered: hw.saDoubleBuffered)
        let qk = add(.qkT, layer: l, head: h, unit: sa, duration: qkWork.duration, deps: [load] + resident(qkv),
                     firstOutput: qkWork.firstOutput,
                     ops: OpCounts(macs: qkWork.macs, sramReads: qkWork.sramReads, sramWrites: qkWork.sramWrites), sa: qkWork)
        let s = tensor(.scratch, bytes: n * n * b, producer: qk)
        var last = qk
        if hw.softmaxMaxSubtraction {
            let mx = add(.rowMax, layer: l, head: h, unit: acc,
                         duration: elementwise(rows: n, cols: n, lanes: hw.accumulatorLanes, latency: hw.accumulatorLatency),
                         deps: [qk] + resident(s), ops: OpCounts(adds: n * n, sramReads: n * n, sramWrites: n))
            let sub = add(.maxSubtract, layer: l, head: h, unit: addU,
                          duration: elementwise(rows: n, cols: n, lanes: hw.adderLanes, latency: hw.adderLatency),
                          deps: [mx] + resident(s), firstOutput: hw.adderLatency,
                          ops: OpCounts(adds: n * n, sramReads: n * n + n, sramWrites: n * n))
            consume(s, by: mx); consume(s, by: sub)
            last = sub
        }
        // exp streams behind its producer (element-wise, in place)
        let ex = add(.exp, layer: l, head: h, unit: expU,
                     duration: elementwise(rows: n, cols: n, lanes: hw.expLanes, latency: hw.expLatency),
                     deps: resident(s), stream: [last], firstOutput: hw.expLatency, tail: hw.expLatency,
                     ops: OpCounts(exps: n * n, sramReads: n * n, sramWrites: n * n))
        let rs = add(.rowSum, layer: l, head: h, unit: acc,
                     duration: elementwise(rows: n, cols: n, lanes: hw.accumulatorLanes, latency: hw.accumulatorLatency),
                     stream: [ex], tail: hw.accumulatorLatency, ops: OpCounts(adds: n * n, sramReads: n * n, sramWrites: n))
        // Row sums stay in the accumulators / Divisor Regs (no SRAM).
        // Division needs complete row sums: QKᵀ finishes rows only with its last column tile.
        let sd = add(.softmaxDivide, layer: l, head: h, unit: div,
                     duration: elementwise(rows: n, cols: n, lanes: hw.dividerLanes, latency: hw.dividerLatency),
                     deps: [rs], ops: OpCounts(divs: n * n, sramReads: n * n + n, sramWrites: n * n))
        let svWork = SAWork(ms: n, kr: n, nc: d, rows: hw.saRows, cols: hw.saCols, doubleBuffered: hw.saDoubleBuffered)
        let sv = add(.sv, layer: l, head: h, unit: sa, duration: svWork.duration, deps: [sd] + resident(s),
                     ops: OpCounts(macs: svWork.macs, sramReads: svWork.sramReads, sramWrites: svWork.sramWrites), sa: svWork)
        for t in [ex, rs, sd, sv] { consume(s, by: t) }
        for t in [qk, sv] { consume(qkv, by: t) }
        let z = tensor(.output, bytes: n * d * b, producer: sv)
        let store = add(.storeOutput, layer: l, head: h, unit: UnitID(.dram), bytes: n * d * b, deps: [sv] + resident(z),
                        ops: OpCounts(sramReads: n * d, dramWriteBytes: n * d * b))
        consume(z, by: store)
        return store
    }
}
