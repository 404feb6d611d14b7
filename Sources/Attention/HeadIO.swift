import RetortCore

/// One (image, head) slice of the packed tensors, as strided row-major views.
///
/// `qkv` is [B, n, 3·D] as the QKV linear layer writes it (PyTorch's
/// `reshape(B, n, 3, H, d)`): Q of head h is columns h·d ..< (h+1)·d, K is D further, V 2·D
/// further, all with row stride 3·D. The output [B, n, D] holds head h at columns h·d with
/// row stride D. Gradients use the same layouts.
struct HeadIO {
    var q, k, v: UnsafeMutablePointer<Float>
    /// Row stride of q, k, v.
    var ld: Int
    var out: UnsafeMutablePointer<Float>
    var ldo: Int
    var n: Int
    var d: Int

    init(qkv: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, pair p: Int, heads: Int, tokens n: Int, headDim d: Int) {
        let b = p / heads, h = p % heads, width = heads * d
        let base = qkv + b * n * 3 * width + h * d
        q = base; k = base + width; v = base + 2 * width
        ld = 3 * width
        self.out = out + b * n * width + h * d
        ldo = width
        self.n = n; self.d = d
    }

    var invSqrtD: Float { 1 / Float(d).squareRoot() }
}

/// The quantised Q̃ and K̃ of one head ([B, n, D] buffers, row stride D) for the sparse path.
struct QuantizedHead {
    var q, k: UnsafeMutablePointer<Float>
    var ld: Int
    init(q qq: UnsafeMutablePointer<Float>, k kq: UnsafeMutablePointer<Float>, pair p: Int, heads: Int, tokens n: Int, headDim d: Int) {
        let b = p / heads, h = p % heads, width = heads * d
        q = qq + b * n * width + h * d
        k = kq + b * n * width + h * d
        ld = width
    }
}

/// Row-major gemm on raw pointers: C = alpha·op(A)·op(B) + beta·C (thin wrapper for brevity);
/// small per-head products whose shape suits run on the micro-kernel (`BLAS.smallGemm`).
@inline(__always)
func mm(_ ta: Bool = false, _ tb: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        beta: Float = 0, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    BLAS.smallGemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
}
