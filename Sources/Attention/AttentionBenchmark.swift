import Dispatch
import RetortCore

/// Timing of one attention forward pass (inference) on random Q, K, V — what
/// `retort bench attention` reports. Never used by tests (no timing assertions).
public enum AttentionBenchmark {
    public struct Timing: Sendable {
        public let kind: AttentionKind
        public let tokens: Int
        public let headDim: Int
        public let heads: Int
        /// Best time of one forward pass over all heads, in seconds.
        public let seconds: Double
        /// Operation count of the pass (from the formulas; the tests tie them to the kernels).
        public let ops: OpCount
        /// 2·MACs / time.
        public var gflops: Double { 2 * Double(ops.macs) / seconds / 1e9 }
    }

    /// Best-of-`repeats` time of `AttentionCore.forward` at `tokens` × `heads` × `headDim`,
    /// each repeat running the pass enough times to last about `minSeconds`: the kernels the ViT
    /// runs at this n in inference (`AttentionCore`'s inference defaults: the fused softmax and the
    /// tiled Taylor at every n; `fusedFrom`/`tiledFrom` move those thresholds), or with `reference`
    /// the per-head kernels (n×n softmax map, per-head BLAS Taylor).
    public static func time(_ kind: AttentionKind, tokens n: Int, headDim d: Int, heads h: Int,
                            repeats: Int = 5, minSeconds: Double = 0.05, seed: UInt64 = 1, reference: Bool = false,
                            fusedFrom: Int = AttentionCore.defaultInferenceMinTokens,
                            tiledFrom: Int = AttentionCore.defaultInferenceMinTokens) -> Timing {
        precondition(kind == .softmax || kind == .taylor, "benchmark: softmax or taylor")
        var rng = RNG(seed: seed)
        let qkv = Tensor(shape: [1, n, 3 * h * d])
        qkv.fillNormal(std: 1, rng: &rng)
        let core = AttentionCore(kind: kind, heads: h)
        core.fusedSoftmax = !reference; core.tiledTaylor = !reference
        core.inferenceFusedSoftmaxMinTokens = fusedFrom; core.inferenceTiledTaylorMinTokens = tiledFrom
        _ = core.forward(qkv, training: false)                         // warm-up, sizes the scratch
        let t0 = DispatchTime.now().uptimeNanoseconds
        _ = core.forward(qkv, training: false)
        let once = max(1e-7, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        let reps = max(1, Int(minSeconds / once))
        var best = Double.infinity
        for _ in 0..<repeats {
            let s = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<reps { _ = core.forward(qkv, training: false) }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - s) / 1e9 / Double(reps))
        }
        return Timing(kind: kind, tokens: n, headDim: d, heads: h, seconds: best,
                      ops: OpFormulas.attention(kind, tokens: n, headDim: d, heads: h)!)
    }
}
