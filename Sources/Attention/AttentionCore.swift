import RetortCore

/// Multi-head attention without its projections: qkv [B, n, 3·D] → Z [B, n, D], for any
/// `AttentionKind`, with an explicit backward that returns dqkv (llm.c style).
///
/// Heads are independent; (image, head) pairs run in parallel when there are enough of them
/// and each is small, otherwise one at a time with BLAS and the row loops using the threads.
public final class AttentionCore: Layer {
    public var kind: AttentionKind
    public let heads: Int
    public var sparse: SparseConfig {
        // A new threshold or weight keeps the quantisers' running ranges (a live change).
        didSet {
            guard sparse.bits != oldValue.bits || sparse.momentum != oldValue.momentum else { return }
            quantQ = FakeQuantizer(bits: sparse.bits, momentum: sparse.momentum); quantK = quantQ
        }
    }
    /// Quantisers of Q and K for the sparse path. The released code (`taylorRepo`) shares
    /// one quantiser between Q and K, so that kind uses `quantQ` for both.
    public var quantQ: FakeQuantizer
    public var quantK: FakeQuantizer

    /// Keep the sparse path of `taylorSparse` in evaluation too (a diagnostic: how much a
    /// sparse-trained model relies on S_sparse·V; the quantisers then use their running ranges).
    public var sparseAtInference = false

    /// Softmax runs the fused kernel (`FusedSoftmaxKernel`: BLAS block products, scratch of one
    /// block tile per thread, all pairs in one call) when n ≥ `fusedSoftmaxMinTokens`; false, or a
    /// smaller n, selects the per-head kernel that forms the n×n map (`SoftmaxKernel`).
    public var fusedSoftmax = true
    /// On an idle 2-core machine the fused forward measured 0.95–0.97× the per-head kernel at
    /// n = 64 and 1.01–2.44× from n = 128 up, under both BLAS cores (docs/performance.md), so it
    /// takes n ≥ 128 by default (vit-mnist's n = 50 keeps the per-head kernel).
    public var fusedSoftmaxMinTokens = AttentionCore.defaultFusedSoftmaxMinTokens
    public static let defaultFusedSoftmaxMinTokens = 128
    /// The same threshold for a forward pass without training (evaluation, inference). There is
    /// no backward to feed, so the per-head kernel's saved map buys nothing; with the worker
    /// pool's µs fork-join the fused forward measured 1.2–2.2× the per-head one at n = 16–96 on
    /// 2 threads (AVX2 EPYC, idle; docs/performance.md), so it runs at every n.
    public var inferenceFusedSoftmaxMinTokens = AttentionCore.defaultInferenceMinTokens
    /// Inference threshold of both the fused softmax and the tiled Taylor forward.
    public static let defaultInferenceMinTokens = 0
    /// Taylor's forward runs the tiled kernel when d is a multiple of 16 (`TaylorTiledKernel`)
    /// and n ≥ `tiledTaylorMinTokens`; false selects the per-head BLAS kernel (`TaylorKernel`).
    public var tiledTaylor = true
    /// Since its whole-pairs thread split, the tiled Taylor forward measured 1.24–1.44× the
    /// per-head kernel at n = 128, 1.33–1.48× at 197 and 2.06–2.50× at 256 (d = 64, 3 heads,
    /// 2 threads, idle, both BLAS cores), and 0.65–0.85× at n = 32–96 under the auto-detected
    /// core (docs/performance.md), so it takes n ≥ 128 by default.
    public var tiledTaylorMinTokens = AttentionCore.defaultTiledTaylorMinTokens
    public static let defaultTiledTaylorMinTokens = 128
    /// The tiled Taylor threshold without training (1.3–1.9× the per-head forward at n = 16–64,
    /// 2 threads, same measurements): every n.
    public var inferenceTiledTaylorMinTokens = AttentionCore.defaultInferenceMinTokens
    /// Step 1 of the Taylor kinds: centre K over the tokens (the paper) or over the head
    /// dimension (the released code's reading); the tiled forward takes the tokens only.
    public var centring: TaylorCentring = .tokens

    /// When true, forward passes count their operations into `lastOpCount` (softmax and
    /// Taylor low-rank kernels; the training-only sparse path is not counted).
    public var countOps = false
    public private(set) var lastOpCount = OpCount()
    /// Scratch the kernels of the last forward pass asked for, per head.
    public private(set) var lastMemory = KernelMemory()
    /// Kept fraction of the sparse mask M = [P̃ > τ] in the last forward pass (nil without the sparse path).
    public private(set) var lastMaskDensity: Double?

    private var input: Tensor?
    private var output: Tensor?
    private var saved: Tensor?
    private var savedStride = 0
    /// The last forward pass ran the fused softmax kernel (its backward needs the row log-sum-exp).
    private var ranFused = false
    private var quantized: (q: Tensor, k: Tensor)?
    private var lastTraining = false
    private var workspaces: [Workspace] = []

    public init(kind: AttentionKind, heads: Int, sparse: SparseConfig = SparseConfig()) {
        precondition(heads >= 1, "AttentionCore: heads must be ≥ 1")
        self.kind = kind; self.heads = heads; self.sparse = sparse
        quantQ = FakeQuantizer(bits: sparse.bits, momentum: sparse.momentum)
        quantK = quantQ
    }

    /// The qkv tensor of the last forward pass (the real Q, K, V the diagnostics use).
    public var lastInput: Tensor? { input }

    private func shape(_ x: Tensor) -> (b: Int, n: Int, width: Int, d: Int) {
        precondition(x.rank == 3 && x.lastDim % (3 * heads) == 0,
                     "AttentionCore: input must be [B, n, 3·heads·d], got \(x.shape) with \(heads) heads")
        let width = x.lastDim / 3
        return (x.dim(0), x.dim(1), width, width / heads)
    }

    /// Parallelise over (image, head) pairs when there are enough and each is small enough
    /// that OpenBLAS runs it on the calling thread anyway.
    private func pairParallel(pairs: Int, n: Int, d: Int) -> Bool {
        Threads.count > 1 && pairs >= 2 * Threads.count && Self.isSmallHead(tokens: n, headDim: d)
    }

    /// A head with n²·d below 262 144: its products are small enough that BLAS runs them on the
    /// calling thread (and the per-head softmax runs them on the micro-kernel).
    static func isSmallHead(tokens n: Int, headDim d: Int) -> Bool { n * n * d < 262_144 }

    private func ensureWorkspaces() {
        while workspaces.count < max(1, Threads.count) { workspaces.append(Workspace()) }
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let (b, n, width, d) = shape(x)
        let pairs = b * heads
        let y = Tensor(uninitializedShape: [b, n, width])
        input = x; output = y; lastTraining = training
        let useSparse = kind.usesSparsePath(training: training) || (sparseAtInference && kind == .taylorSparse)

        if useSparse {
            let qq = Tensor(uninitializedShape: [b, n, width]), kq = Tensor(uninitializedShape: [b, n, width])
            if kind == .taylorRepo || sparse.sharedQuantizer {  // one quantiser for Q̃ and K̃, as the released code
                quantQ.quantize(x.data, rows: b * n, cols: width, ld: 3 * width, into: qq.data, ldd: width, training: training)
                quantQ.quantize(x.data + width, rows: b * n, cols: width, ld: 3 * width, into: kq.data, ldd: width, training: training)
            } else {
                quantQ.quantize(x.data, rows: b * n, cols: width, ld: 3 * width, into: qq.data, ldd: width, training: training)
                quantK.quantize(x.data + width, rows: b * n, cols: width, ld: 3 * width, into: kq.data, ldd: width, training: training)
            }
            quantized = (qq, kq)
        } else {
            quantized = nil
        }

        savedStride = 0
        ranFused = kind == .softmax && fusedSoftmax && n >= (training ? fusedSoftmaxMinTokens : inferenceFusedSoftmaxMinTokens)
        if training {
            switch kind {
            case .softmax: savedStride = ranFused ? n : n * n
            case .taylor: savedStride = TaylorKernel.savedWords(n: n, d: d)
            case .taylorSparse: savedStride = TaylorKernel.savedWords(n: n, d: d) + SparseKernel.savedWords(n: n)
            case .taylorRepo: savedStride = RepoKernel.savedWords(n: n, d: d)
            }
        }
        saved = savedStride > 0 ? Tensor(uninitializedShape: [pairs * savedStride]) : nil

        ensureWorkspaces()
        for w in workspaces { w.resetStats() }
        if kind == .taylor && tiledTaylor && centring == .tokens && n >= (training ? tiledTaylorMinTokens : inferenceTiledTaylorMinTokens)
            && TaylorTiledKernel.supports(headDim: d) {
            TaylorTiledKernel.forward(qkv: x.data, out: y.data, batch: b, heads: heads, tokens: n, headDim: d,
                                      save: saved?.data, savedStride: savedStride, workspaces: workspaces)
            if countOps { lastOpCount = OpFormulas.taylor(tokens: n, headDim: d, heads: heads, batch: b) }
            recordMemory()
            lastMaskDensity = nil
            return y
        }
        if ranFused {
            FusedSoftmaxKernel.forward(qkv: x.data, out: y.data, batch: b, heads: heads, tokens: n, headDim: d,
                                       lse: saved?.data, workspaces: workspaces)
            if countOps { lastOpCount = OpFormulas.softmax(tokens: n, headDim: d, heads: heads, batch: b) }
            recordMemory()
            lastMaskDensity = nil
            return y
        }
        let outer = pairParallel(pairs: pairs, n: n, d: d)
        let chunks = outer ? Threads.count : 1
        var counts = [OpCount](repeating: OpCount(), count: chunks)
        var kept = [Int](repeating: 0, count: chunks)
        let kind = kind, heads = heads, countOps = countOps, sp = sparse, centreHead = centring == .head
        let xq = x.data, yq = y.data, sv = saved?.data, stride = savedStride
        let qq = quantized?.q.data, kq = quantized?.k.data
        let wss = workspaces
        counts.withUnsafeMutableBufferPointer { cbuf in
            kept.withUnsafeMutableBufferPointer { kbuf in
                let cb = cbuf.baseAddress!, kb = kbuf.baseAddress!
                func run(_ p: Int, _ chunk: Int, parallel: Bool) {
                    let ws = wss[chunk]
                    ws.beginHead()
                    let io = HeadIO(qkv: xq, out: yq, pair: p, heads: heads, tokens: n, headDim: d)
                    let save = sv.map { $0 + p * stride }
                    let count = countOps ? cb + chunk : nil
                    switch kind {
                    case .softmax:
                        SoftmaxKernel.forward(io, ws: ws, save: save, count: count, parallel: parallel)
                    case .taylor, .taylorSparse:
                        TaylorKernel.forward(io, ws: ws, save: save, count: count, parallel: parallel, centreHead: centreHead)
                        if useSparse {
                            let qh = QuantizedHead(q: qq!, k: kq!, pair: p, heads: heads, tokens: n, headDim: d)
                            kb[chunk] += SparseKernel.forwardAdd(io, quantized: qh, config: sp, ws: ws,
                                                                 save: save.map { $0 + TaylorKernel.savedWords(n: n, d: d) }, parallel: parallel)
                        }
                    case .taylorRepo:
                        let qh = QuantizedHead(q: qq!, k: kq!, pair: p, heads: heads, tokens: n, headDim: d)
                        kb[chunk] += RepoKernel.forward(io, quantized: qh, config: sp, ws: ws, save: save, parallel: parallel)
                    }
                    ws.endHead()
                }
                if outer {
                    parallelChunks(pairs) { chunk, range in for p in range { run(p, chunk, parallel: false) } }
                } else {
                    for p in 0..<pairs { run(p, 0, parallel: true) }
                }
            }
        }
        if countOps { lastOpCount = counts.reduce(OpCount(), +) }
        recordMemory()
        lastMaskDensity = useSparse ? Double(kept.reduce(0, +)) / Double(max(1, pairs * n * n)) : nil
        return y
    }

    private func recordMemory() {
        lastMemory = KernelMemory(largestBuffer: workspaces.map(\.largestBuffer).max() ?? 0,
                                  perHeadWords: workspaces.map(\.maxHeadWords).max() ?? 0)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input, let y = output else { preconditionFailure("AttentionCore.backward before forward") }
        precondition(lastTraining, "AttentionCore.backward needs a training-mode forward pass")
        precondition(dy.shape == y.shape, "AttentionCore.backward: dy \(dy.shape) vs output \(y.shape)")
        let (b, n, _, d) = shape(x)
        let pairs = b * heads
        let dx = Tensor(uninitializedShape: x.shape)
        ensureWorkspaces()
        if ranFused {
            FusedSoftmaxKernel.backward(qkv: x.data, out: y.data, dout: dy.data, dqkv: dx.data, batch: b, heads: heads,
                                        tokens: n, headDim: d, lse: saved!.data, workspaces: workspaces)
            return dx
        }
        let outer = pairParallel(pairs: pairs, n: n, d: d)
        let kind = kind, heads = heads, sp = sparse, centreHead = centring == .head
        let useSparse = quantized != nil
        let xq = x.data, yq = y.data, dxq = dx.data, dyq = dy.data, sv = saved!.data, stride = savedStride
        let qq = quantized?.q.data, kq = quantized?.k.data
        let wss = workspaces
        func run(_ p: Int, _ chunk: Int, parallel: Bool) {
            let ws = wss[chunk]
            let io = HeadIO(qkv: xq, out: yq, pair: p, heads: heads, tokens: n, headDim: d)
            let g = HeadIO(qkv: dxq, out: dyq, pair: p, heads: heads, tokens: n, headDim: d)
            let s = sv + p * stride
            switch kind {
            case .softmax:
                SoftmaxKernel.backward(io, grad: g, saved: s, ws: ws, parallel: parallel)
            case .taylor, .taylorSparse:
                TaylorKernel.backward(io, grad: g, saved: s, ws: ws, parallel: parallel, centreHead: centreHead)
                if useSparse {
                    let qh = QuantizedHead(q: qq!, k: kq!, pair: p, heads: heads, tokens: n, headDim: d)
                    SparseKernel.backwardAdd(io, quantized: qh, grad: g, config: sp,
                                             saved: s + TaylorKernel.savedWords(n: n, d: d), ws: ws, parallel: parallel)
                }
            case .taylorRepo:
                let qh = QuantizedHead(q: qq!, k: kq!, pair: p, heads: heads, tokens: n, headDim: d)
                RepoKernel.backward(io, quantized: qh, grad: g, config: sp, saved: s, ws: ws, parallel: parallel)
            }
        }
        if outer {
            parallelChunks(pairs) { chunk, range in for p in range { run(p, chunk, parallel: false) } }
        } else {
            for p in 0..<pairs { run(p, 0, parallel: true) }
        }
        return dx
    }
}
