/// What to simulate.
public struct AcceleratorWorkload: Sendable, Hashable {
    public var model: ViTModel
    public var attention: AttentionKind
    /// Also simulate QKV, output projection and the MLP (end-to-end instead of attention-only).
    public var includeLinear: Bool
    /// Simulate only the first `layers` layers (nil = all).
    public var layers: Int?
    /// Sanger's masks and settings (`attention == .sanger`; nil: synthetic masks at the
    /// default density).
    public var sanger: SangerWorkload?
    /// Taylor attention's centring axis and k̂_sum mode (ignored by softmax and Sanger).
    public var taylor: TaylorVariant

    public init(model: ViTModel, attention: AttentionKind, includeLinear: Bool = false, layers: Int? = nil,
                sanger: SangerWorkload? = nil, taylor: TaylorVariant = .paper) {
        precondition(taylor.problem == nil, "TaylorVariant.problem: check before building a workload")
        self.model = model; self.attention = attention; self.includeLinear = includeLinear; self.layers = layers
        self.sanger = sanger; self.taylor = taylor
    }

    /// The Sanger settings and masks this workload runs with (the default when none is given).
    public var sangerInEffect: SangerWorkload { sanger ?? .defaultSynthetic(model: model, layers: layerCount) }

    public var layerCount: Int { min(layers ?? model.layers, model.layers) }
}

extension TaskGraph {
    /// The per-head DAGs of every layer, heads round-robin over chunks. Attention-only runs
    /// load Q/K/V from DRAM and store Z; layer l+1 starts after layer l's outputs are stored
    /// (its Q/K/V depend on them). With linear layers: QKV → heads → projection → fc1 → fc2.
    public static func build(_ w: AcceleratorWorkload, hardware hw: AcceleratorHardware) -> TaskGraph {
        var units: [UnitID] = []
        for c in 0..<hw.chunks {
            for k in UnitKind.allCases where k != .dram && (k != .exp || w.attention.usesExp) {
                units.append(UnitID(k, chunk: c))
            }
        }
        units.append(UnitID(.dram))
        var b = GraphBuilder(hw: hw, units: units)
        let m = w.model, n = m.tokens, d = m.headDim, C = m.embed
        var barrier: [Int] = []
        let sanger = w.attention == .sanger ? w.sangerInEffect : nil
        for l in 0..<w.layerCount {
            var headDeps = barrier
            if w.includeLinear {
                headDeps = b.linear(.qkvProjection, layer: l, n: n, k: C, nOut: 3 * C, after: barrier)
            }
            var stores: [Int] = []
            for h in 0..<m.heads {
                let chunk = h % hw.chunks
                switch w.attention {
                case .taylor: stores.append(b.taylorHead(layer: l, head: h, chunk: chunk, n: n, d: d, variant: w.taylor, after: headDeps))
                case .softmax: stores.append(b.softmaxHead(layer: l, head: h, chunk: chunk, n: n, d: d, after: headDeps))
                case .sanger:
                    stores.append(b.sangerHead(layer: l, head: h, chunk: chunk, n: n, d: d, stats: sanger!.stats(layer: l, head: h),
                                               config: sanger!.config, after: headDeps))
                }
            }
            barrier = stores
            if w.includeLinear {
                barrier = b.linear(.outProjection, layer: l, n: n, k: C, nOut: C, after: barrier)
                barrier = b.linear(.mlpUp, layer: l, n: n, k: C, nOut: m.mlpRatio * C, after: barrier)
                barrier = b.linear(.mlpDown, layer: l, n: n, k: m.mlpRatio * C, nOut: C, after: barrier)
            }
        }
        return b.g
    }
}
