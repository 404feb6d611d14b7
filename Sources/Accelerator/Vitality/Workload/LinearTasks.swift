/// Linear layers (QKV, projection, MLP) as tiled GEMMs on SA-General, weight stationary
/// with down-forward accumulation (assumed mapping; the paper does not say, spec vitality
/// §4.1). Layer-boundary tensors go through DRAM (assumed). A GEMM loads its input
/// activations once if they fit in the input buffer (otherwise every tile re-reads its
/// n×R slice); each weight tile is loaded just before use, at most two per output block
/// in flight (double buffering, loads chained per block); an output column block is accumulated in the output
/// buffer (allocated by the block's first weight load) and stored when its last reduction
/// tile is done. Output blocks go round-robin over the chunks' SA-Generals.
/// GELU, LayerNorm and residual adds are not modelled.
extension GraphBuilder {
    /// (n × K)·(K × N); returns the store tasks (the output is in DRAM when all have ended).
    mutating func linear(_ stage: Stage, layer l: Int, n: Int, k: Int, nOut: Int, after: [Int]) -> [Int] {
        let b = hw.wordBytes, R = hw.saRows, C = hw.saCols
        let dram = UnitID(.dram)
        let xBytes = n * k * b
        let xFits = xBytes <= hw.capacityBytes(.input)
        var xLoad: Int? = nil
        var xTensor: Tensor? = nil
        if xFits {
            let t = add(.loadActivations, layer: l, head: nil, unit: dram, bytes: xBytes, deps: after,
                        ops: OpCounts(sramWrites: n * k, dramReadBytes: xBytes))
            xLoad = t
            xTensor = tensor(.input, bytes: xBytes, producer: t)
        }
        let kt = (k + R - 1) / R, ct = (nOut + C - 1) / C
        var stores: [Int] = []
        var tilesOf: [Int: [Int]] = [:], loadsOf: [Int: [Int]] = [:]   // block → its tiles / weight loads so far
        var outOf: [Int: Tensor] = [:]
        var chargedChunks = Set<Int>()
        // Interleave the blocks that run concurrently on different chunks (priority = creation order).
        for group in stride(from: 0, to: ct, by: hw.chunks) {
            let blocks = Array(group..<min(group + hw.chunks, ct))
            for i in 0..<kt {
                for j in blocks {
                    let chunk = j % hw.chunks
                    let cu = min(C, nOut - j * C), ru = min(R, k - i * R)
                    let slice = xFits ? 0 : n * ru * b
                    // Loads of a block are chained (the first one holds the block's output buffer, so a
                    // block holding weight tiles can always run) and at most two tiles ahead.
                    var loadDeps = after
                    if let prev = loadsOf[j]?.last { loadDeps.append(prev) }
                    if i >= 2 { loadDeps.append(tilesOf[j]![i - 2]) }
                    let wl = add(.loadWeights, layer: l, head: nil, unit: dram, bytes: ru * cu * b + slice, deps: loadDeps,
                                 ops: OpCounts(sramWrites: ru * cu + slice / b, dramReadBytes: ru * cu * b + slice))
                    loadsOf[j, default: []].append(wl)
                    let w = tensor(.weight, bytes: ru * cu * b, producer: wl)
                    let xs = slice > 0 ? tensor(.input, bytes: slice, producer: wl) : nil
                    if i == 0 { outOf[j] = tensor(.output, bytes: n * cu * b, producer: wl) }
                    let charge = !hw.saDoubleBuffered || !chargedChunks.contains(chunk)
                    chargedChunks.insert(chunk)
                    let work = SAWork(ms: n, kr: ru, nc: cu, rows: R, cols: C, doubleBuffered: hw.saDoubleBuffered,
                                      chargeFirstPreload: charge).withReduction(i)
                    var deps = [wl] + resident(w)
                    if let xLoad { deps.append(xLoad) }
                    if let prev = tilesOf[j]?.last { deps.append(prev) }  // partial sums accumulate in order
                    let tile = add(stage, layer: l, head: nil, unit: UnitID(.saGeneral, chunk: chunk), duration: work.duration,
                                   deps: deps, firstOutput: work.firstOutput,
                                   ops: OpCounts(macs: work.macs, sramReads: work.sramReads, sramWrites: work.sramWrites), sa: work)
                    consume(w, by: tile)
                    if let xs { consume(xs, by: tile) }
                    if let xTensor { consume(xTensor, by: tile) }
                    tilesOf[j, default: []].append(tile)
                }
            }
            for j in blocks {
                let out = outOf[j]!
                let st = add(.storeActivations, layer: l, head: nil, unit: dram, bytes: n * min(C, nOut - j * C) * b,
                             deps: [tilesOf[j]!.last!] + resident(out),
                             ops: OpCounts(sramReads: n * min(C, nOut - j * C), dramWriteBytes: n * min(C, nOut - j * C) * b))
                consume(out, by: st)
                stores.append(st)
            }
        }
        return stores
    }
}

extension SAWork {
    /// The same single tile, labelled as reduction step `i` of a longer GEMM (its
    /// partial-sum reads are then counted).
    func withReduction(_ i: Int) -> SAWork {
        var w = self
        for t in w.tiles.indices { w.tiles[t].reductionIndex = i }
        return w
    }
}
