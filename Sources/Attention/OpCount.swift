/// Scalar operation counts of an attention forward pass (the categories of vitality §1.5).
///
/// The same struct is filled two ways: from closed-form formulas (`OpFormulas`) and by the
/// kernels themselves, which add what each step does at the site that does it
/// (`AttentionCore.countOps`). A test checks that the two agree exactly.
public struct OpCount: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Multiply-accumulates of the matrix products.
    public var macs = 0
    /// Scalar multiplications outside the matrix products (1/√d scaling, √d·v_sum).
    public var multiplications = 0
    public var exps = 0
    public var divisions = 0
    /// Additions and subtractions (row sums, max-subtraction, column sums, centring, the
    /// broadcast adds of Steps 4–5).
    public var additions = 0
    /// Comparisons (the row maximum of the stable softmax).
    public var compares = 0
    /// The intermediate storage vitality §1.5 counts, in words: the attention maps
    /// (n² per head) for softmax, the global context matrices G (d² per head) for Taylor.
    public var storageWords = 0

    public init(macs: Int = 0, multiplications: Int = 0, exps: Int = 0, divisions: Int = 0,
                additions: Int = 0, compares: Int = 0, storageWords: Int = 0) {
        self.macs = macs; self.multiplications = multiplications; self.exps = exps; self.divisions = divisions
        self.additions = additions; self.compares = compares; self.storageWords = storageWords
    }

    public static func + (a: OpCount, b: OpCount) -> OpCount {
        OpCount(macs: a.macs + b.macs, multiplications: a.multiplications + b.multiplications, exps: a.exps + b.exps,
                divisions: a.divisions + b.divisions, additions: a.additions + b.additions,
                compares: a.compares + b.compares, storageWords: a.storageWords + b.storageWords)
    }
    public static func += (a: inout OpCount, b: OpCount) { a = a + b }
    public func times(_ k: Int) -> OpCount {
        OpCount(macs: macs * k, multiplications: multiplications * k, exps: exps * k, divisions: divisions * k,
                additions: additions * k, compares: compares * k, storageWords: storageWords * k)
    }

    public var description: String {
        "MACs \(macs), mults \(multiplications), exps \(exps), divs \(divisions), adds \(additions), cmps \(compares), storage \(storageWords)"
    }
}

/// Closed-form operation counts (vitality §1.5) for one layer's attention over one image
/// (`batch` images scale every entry). n = tokens, d = head dimension, H = heads.
///
/// These are the exact counts of Retort's kernels, which follow the paper step by step:
///
/// | | softmax | Taylor (Algorithm 1) |
/// |---|---|---|
/// | MACs | 2·H·n²·d (QKᵀ, S·V) | H·(2·n·d² + n·d) (K̂ᵀV, Q·G, Q·k̂_sumᵀ) |
/// | multiplications | H·n² (the 1/√d scale) | H·d (√d·v_sum) |
/// | exps | H·n² | 0 |
/// | divisions | H·n² (each weight by its row sum) | H·(n·d + d) (Step 6, the token mean) |
/// | additions | 2·H·n² (max subtraction, row sums) | H·(5·n·d + n) (column sum, centring, k̂_sum, v_sum, numerator; denominator) |
/// | compares | H·n² (row maximum) | 0 |
/// | storage | H·n² (attention maps) | H·d² (G) |
public enum OpFormulas {
    public static func softmax(tokens n: Int, headDim d: Int, heads h: Int, batch: Int = 1) -> OpCount {
        OpCount(macs: 2 * n * n * d, multiplications: n * n, exps: n * n, divisions: n * n,
                additions: 2 * n * n, compares: n * n, storageWords: n * n).times(h * batch)
    }

    public static func taylor(tokens n: Int, headDim d: Int, heads h: Int, batch: Int = 1) -> OpCount {
        OpCount(macs: 2 * n * d * d + n * d, multiplications: d, exps: 0, divisions: n * d + d,
                additions: 5 * n * d + n, compares: 0, storageWords: d * d).times(h * batch)
    }

    /// The inference-time attention of `kind` (Taylor-sparse infers with the low-rank path
    /// alone). The released-code variant keeps its training-time sparse map at inference and
    /// has no closed form here (its cost is the softmax's plus the low-rank term's).
    public static func attention(_ kind: AttentionKind, tokens n: Int, headDim d: Int, heads h: Int, batch: Int = 1) -> OpCount? {
        switch kind {
        case .softmax: return softmax(tokens: n, headDim: d, heads: h, batch: batch)
        case .taylor, .taylorSparse: return taylor(tokens: n, headDim: d, heads: h, batch: batch)
        case .taylorRepo: return nil
        }
    }

    /// Words of scratch the Taylor kernel takes per head. For d a multiple of 16 the tiled kernel
    /// (`TaylorTiledKernel`): d² + O(d), independent of n. Otherwise the per-head kernel: k̄, K̂,
    /// G, k̂_sum, v_sum, t_D (T_N is written straight into the output), O(n·d + d²). Neither
    /// forms the n×n matrix.
    /// This is a training step's forward (tiled from `defaultTiledTaylorMinTokens`); an inference
    /// forward takes the tiled kernel at every n (`defaultInferenceMinTokens`).
    public static func taylorWorkspace(tokens n: Int, headDim d: Int) -> Int {
        TaylorTiledKernel.supports(headDim: d) && n >= AttentionCore.defaultTiledTaylorMinTokens ? TaylorTiledKernel.workspace(headDim: d) : n * d + d * d + 3 * d + n
    }
    /// Words of scratch the fused softmax kernel takes per forward task: one query block × key
    /// block tile (at most 64 × 256) and the row max and sum — independent of n from n = 256,
    /// never the n×n map (the reference kernel, `AttentionCore.fusedSoftmax = false`, takes n²).
    public static func softmaxWorkspace(tokens n: Int, headDim d: Int) -> Int {
        FusedSoftmaxKernel.forwardWorkspace(tokens: n, headDim: d)
    }

    /// MACs of one transformer layer's linear parts for one image: QKV (3·n·C²),
    /// projection (n·C²) and the MLP (2·r·n·C²), i.e. 12·n·C² for r = 4.
    public static func linearMACs(tokens n: Int, width c: Int, mlpRatio r: Int = 4) -> Int { (4 + 2 * r) * n * c * c }
}

/// Attention and linear-layer costs of a whole ViT configuration, per image.
public struct ModelOpCounts: Sendable, Equatable {
    public let config: ViTConfig
    /// One layer's attention.
    public let softmax: OpCount
    public let taylor: OpCount
    /// One layer's QKV, projection and MLP MACs.
    public let linearMACs: Int

    public init(_ config: ViTConfig) {
        self.config = config
        let n = config.tokens, d = config.headDim, h = config.heads
        softmax = OpFormulas.softmax(tokens: n, headDim: d, heads: h)
        taylor = OpFormulas.taylor(tokens: n, headDim: d, heads: h)
        linearMACs = OpFormulas.linearMACs(tokens: n, width: config.width, mlpRatio: config.mlpRatio)
    }

    public var macRatio: Double { Double(softmax.macs) / Double(max(1, taylor.macs)) }
    public var divisionRatio: Double { Double(softmax.divisions) / Double(max(1, taylor.divisions)) }
    public var storageRatio: Double { Double(softmax.storageWords) / Double(max(1, taylor.storageWords)) }
    /// Whole-layer MAC ratio (attention + linear layers), vitality §1.5's last column.
    public var layerMACRatio: Double { Double(softmax.macs + linearMACs) / Double(max(1, taylor.macs + linearMACs)) }
}
