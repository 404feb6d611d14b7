/// What the Sanger baseline simulates: its settings and the pack-and-split statistics of
/// one mask per (layer, head). A workload with more layers or heads than masks reuses them
/// cyclically (layer l takes mask layer l mod L, head h mask head h mod H).
public struct SangerWorkload: Sendable, Hashable {
    public var config: SangerConfig
    /// Where the masks came from (printed with the results).
    public var origin: String
    /// heads[layer][head].
    public var heads: [[PackSplitStats]]

    /// `masks[layer][head]`, all of the workload's token count.
    public init(config: SangerConfig, origin: String, masks: [[AttentionMask]]) {
        precondition(!masks.isEmpty && !masks[0].isEmpty, "SangerWorkload: no masks")
        self.config = config; self.origin = origin
        heads = masks.map { $0.map { PackAndSplit.stats($0, ports: config.ports, pes: config.pesPerRow) } }
    }

    /// Synthetic masks for `model` (one per simulated layer and head).
    public static func synthetic(_ spec: SyntheticMaskSpec, model m: ViTModel, layers: Int, config: SangerConfig) -> SangerWorkload {
        let skew = spec.rowSkew > 0 ? String(format: ", row skew %.2f", spec.rowSkew) : ""
        return SangerWorkload(config: config, origin: String(format: "synthetic masks at density %.3f%@, seed %llu", spec.density, skew, spec.seed),
                              masks: spec.masks(tokens: m.tokens, layers: max(1, layers), heads: m.heads))
    }

    /// The default when none is given: synthetic masks at the config's `synthetic_density`.
    public static func defaultSynthetic(model m: ViTModel, layers: Int, config: SangerConfig = .defaults()) -> SangerWorkload {
        synthetic(SyntheticMaskSpec(density: config.syntheticDensity), model: m, layers: layers, config: config)
    }

    public func stats(layer l: Int, head h: Int) -> PackSplitStats {
        let row = heads[l % heads.count]
        return row[h % row.count]
    }

    /// Over the simulated layers and heads of `model` (masks reused as simulated).
    public func total(layers: Int, heads hs: Int) -> PackSplitStats {
        var t = PackSplitStats()
        for l in 0..<layers { for h in 0..<hs { t += stats(layer: l, head: h) } }
        return t
    }

    /// PE utilisation of pack-and-split as simulated (skip or no-skip).
    public func utilisation(_ s: PackSplitStats) -> Double { config.skipEmptyVectors ? s.utilisation : s.utilisationNoSkip }
}
