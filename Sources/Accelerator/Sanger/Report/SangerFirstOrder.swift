/// Sanger's own first-order latency model, `bench_sanger.py` in hatsu3/Sanger [C]: a PE array
/// of `peArray` MACs at `clockGHz` (the script: 64 × 16 = 1024 at 1 GHz, 2048 GOPS dense);
/// stage 1 (the Q, K, V projections) runs dense; stage 2 (QKᵀ, P·V and the output
/// projection — the script scales all three by the density) runs at
/// dense GOPS / density × load balance. No DRAM, no prediction pass, no softmax unit.
public enum SangerFirstOrder {
    /// bench_sanger.py's `bert_base_gflops` for any width: (stage 1, stage 2) GFLOP of one layer.
    public static func gflops(seqLen n: Int, hidden c: Int = 768) -> (stage1: Double, stage2: Double) {
        let n = Double(n), c = Double(c)
        let linear = n * c * c * 2 * 3
        let qk = n * n * c * 2, pv = n * n * c * 2, proj = n * c * c * 2
        return (linear / 1e9, (qk + pv + proj) / 1e9)
    }

    /// `calc_sanger_latency(sparsity, load_balance, seq_len)` in seconds (the script's
    /// "sparsity" is the kept fraction, a density).
    public static func latency(density: Double, loadBalance: Double, seqLen: Int, hidden: Int = 768,
                               peArray: Int = 64 * 16, clockGHz: Double = 1) -> Double {
        let dense = Double(peArray) * clockGHz * 2
        let stage2GOPS = dense / density * loadBalance
        let (s1, s2) = gflops(seqLen: seqLen, hidden: hidden)
        return s1 / dense + s2 / stage2GOPS
    }
}
