import CBLAS
import VectorMath

/// A strided row-major matrix view: `rows × cols` with row stride `ld` (≥ cols).
/// A layer holding max-width weights passes the first-k slice as a view with
/// `ld` = the full row length, so no copy is made.
public struct MatrixView {
    public var ptr: UnsafeMutablePointer<Float>
    public var rows: Int
    public var cols: Int
    public var ld: Int
    public init(_ ptr: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ld: Int? = nil) {
        self.ptr = ptr; self.rows = rows; self.cols = cols; self.ld = ld ?? cols
        precondition(self.ld >= cols || rows <= 1, "leading dimension \(self.ld) < cols \(cols)")
    }
}

public enum BLAS {
    /// C = alpha · op(A) · op(B) + beta · C, all row-major with leading dimensions.
    /// `transA` means op(A) = Aᵀ (A stored as K×M).
    ///
    /// Once `Threads.set` has chosen more than one thread, a large product is split across
    /// the threads, each running a single-threaded BLAS call (see `BLASRuntime.setThreads`):
    /// over the rows of C, over its columns, or — for long inner dimensions such as weight
    /// gradients dW = dyᵀ·x — over K, with the partial products added in chunk order.
    /// Called from inside a `parallelChunks` chunk, the product runs on the calling thread.
    ///
    /// Tall-and-skinny products (the 1×1 convolutions: many pixel rows, ≤ ~100 channels)
    /// are further cut into pieces of at most `directWork` multiply-adds, the size up to
    /// which OpenBLAS (0.3.x, AVX-512) computes NN products with α = 1, β = 0 directly and
    /// TN products with its small-matrix kernels — without packing the operands or a
    /// separate pass to zero C — about 1.3–1.6× faster here. For the same reason C = A·Bᵀ
    /// with a small B runs as A·(Bᵀ) on a transposed copy of B.
    /// When OpenBLAS runs a core below this CPU's best (`microKernel`), each single-thread piece
    /// whose width is a multiple of 16 and whose inner dimension is at most 1024 (α = 1,
    /// β ∈ {0, 1}) runs on Retort's register-blocked micro-kernel (`tileAccumulate`, VectorMath)
    /// instead: the ViT's and the CNN's layers, where the weaker core's kernel loses to it.
    /// Results are deterministic for a given thread count.
    public static func gemm(transA: Bool = false, transB: Bool = false,
                            m: Int, n: Int, k: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0,
                            c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS treats K = 0 as C = beta·C; make that explicit and cheap.
            for i in 0..<m { let row = c + i * ldc; for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] } }
            return
        }
        if !transA && transB && alpha == 1 && beta == 0 && n * k <= smallOperand && m * n * k > directWork {
            // A·Bᵀ = A·(Bᵀ): transpose the small B (n×k) into k×n.
            let bt = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
            defer { bt.deallocate() }
            transpose(b, ldb, rows: n, cols: k, into: bt)
            gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: bt, ldb: n, beta: 0, c: c, ldc: ldc)
            return
        }
        let threads = BLASRuntime.splitThreads
        if threads <= 1 || m * n * k < parallelWork || insideParallelChunk {
            piecewise(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        if k >= 4 * max(m, n) {
            // Split K: chunk 0 accumulates into C, the others into scratch, added in order.
            let t = min(threads, max(1, k / 256))
            if t > 1 {
                let per = (k + t - 1) / t
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: (t - 1) * m * n)
                defer { scratch.deallocate() }
                forkJoin(t) { j in
                    let lo = j * per, len = min(k, lo + per) - lo
                    let aj = transA ? a + lo * lda : a + lo
                    let bj = transB ? b + lo : b + lo * ldb
                    if j == 0 {
                        piecewise(transA, transB, m, n, len, alpha, aj, lda, bj, ldb, beta, c, ldc)
                    } else {
                        piecewise(transA, transB, m, n, len, alpha, aj, lda, bj, ldb, 0, scratch + (j - 1) * m * n, n)
                    }
                }
                for j in 1..<t {
                    let s = scratch + (j - 1) * m * n
                    for i in 0..<m {
                        let row = c + i * ldc, srow = s + i * n
                        for q in 0..<n { row[q] += srow[q] }
                    }
                }
                return
            }
        }
        let t = min(threads, max(1, max(m, n) / 16))
        if t <= 1 {
            piecewise(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        } else if m >= n {
            // Split the rows of C (multiples of 16 rows per chunk).
            let per = ((m + t - 1) / t + 15) / 16 * 16
            forkJoin(t) { j in
                let lo = j * per, len = min(m, lo + per) - lo
                if len > 0 {
                    let aj = transA ? a + lo : a + lo * lda
                    piecewise(transA, transB, len, n, k, alpha, aj, lda, b, ldb, beta, c + lo * ldc, ldc)
                }
            }
        } else {
            // Split the columns of C (multiples of 16 columns per chunk).
            let per = ((n + t - 1) / t + 15) / 16 * 16
            forkJoin(t) { j in
                let lo = j * per, len = min(n, lo + per) - lo
                if len > 0 {
                    let bj = transB ? b + lo * ldb : b + lo
                    piecewise(transA, transB, m, len, k, alpha, a, lda, bj, ldb, beta, c + lo, ldc)
                }
            }
        }
    }

    /// Whether suitable pieces run on the micro-kernel or all on OpenBLAS. Default: on when
    /// OpenBLAS runs a core below this CPU's best (`BLASRuntime.coreBelowBest`, e.g. a preset
    /// Haswell core on an AVX-512 CPU), where its kernel is the weaker one; off under the best
    /// core. `retort bench … --blas-only` turns it off for a side-by-side comparison.
    nonisolated(unsafe) public static var microKernel = BLASRuntime.coreBelowBest

    /// The pieces the micro-kernel takes: α = 1, β ∈ {0, 1}, a width that is a multiple of 16,
    /// an inner dimension ≤ 1024 (a 64-column panel of B stays in L2), not both operands
    /// transposed, a transposed B of at most 64 Ki elements (copied once per piece), and enough
    /// work (≥ 4096 multiply-adds) that its loops beat the call.
    @inline(__always)
    static func tileSuits(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float, _ beta: Float,
                          enabled: Bool = microKernel) -> Bool {
        enabled && alpha == 1 && (beta == 0 || beta == 1) && n % 16 == 0 && n <= 1024 && k <= 1024
            && !(transA && transB) && (!transB || n * k <= 1 << 16) && m * n * k >= 1 << 12
    }

    /// One single-thread piece: the micro-kernel where `tileSuits`, else one CBLAS sgemm.
    @inline(__always)
    static func product(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, micro: Bool = microKernel) {
        guard tileSuits(transA, transB, m, n, k, alpha, beta, enabled: micro) else {
            return sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        }
        if transB {
            // B is n×k (row stride ldb): its transpose, k×n, is the panel the kernel reads
            let bt = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
            defer { bt.deallocate() }
            transpose(b, ldb, rows: n, cols: k, into: bt)
            tileAccumulate(a, sm: lda, sk: 1, bt, ldb: n, depth: k, rows: m, width: n, c, ldc: ldc, accumulate: beta == 1)
        } else {
            tileAccumulate(a, sm: transA ? 1 : lda, sk: transA ? lda : 1, b, ldb: ldb, depth: k, rows: m, width: n,
                           c, ldc: ldc, accumulate: beta == 1)
        }
    }

    /// A product small enough for one thread (fewer than `parallelWork` multiply-adds) on the
    /// micro-kernel wherever its shape suits (`tileSuits`), whatever the runtime's `microKernel`
    /// switch; anything else as `gemm`. For the attention kernels' per-head products (n = 50,
    /// d = 16 in vit-mnist's training step), where OpenBLAS's packing and β pass cost about as
    /// much as its multiplies under every core.
    public static func smallGemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                                 a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                 beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m * n * k < parallelWork, tileSuits(transA, transB, m, n, k, alpha, beta, enabled: true) {
            product(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, micro: true)
        } else {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                 beta: beta, c: c, ldc: ldc)
        }
    }

    /// dst (cols × rows, row stride rows) = the transpose of src (rows × cols, row stride ld).
    @inline(__always)
    static func transpose(_ src: UnsafePointer<Float>, _ ld: Int, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>) {
        for j in 0..<rows { let row = src + j * ld; for q in 0..<cols { dst[q * rows + j] = row[q] } }
    }

    /// Below this many multiply-adds (~20–40 µs of work) a GEMM runs on one thread: waking
    /// a worker costs about as much.
    static let parallelWork = 1 << 20
    /// Largest piece (multiply-adds) handed to OpenBLAS in one call for the products it
    /// runs without packing: NN with α = 1, β = 0 (rows of C cut), TN (K cut).
    static let directWork = 960_000
    /// Largest B (elements) transposed per call to turn A·Bᵀ into an NN product.
    static let smallOperand = 1 << 14

    /// One thread's product, cut into pieces of at most `directWork` where that pays (see `gemm`).
    static func piecewise(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                          _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                          _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        if m * n * k > directWork {
            if !transA && !transB && alpha == 1 && beta == 0 {
                let rows = directWork / (n * k) / 8 * 8
                if rows >= 16 {
                    var r0 = 0
                    while r0 < m {
                        let len = min(rows, m - r0)
                        product(false, false, len, n, k, 1, a + r0 * lda, lda, b, ldb, 0, c + r0 * ldc, ldc)
                        r0 += len
                    }
                    return
                }
            } else if transA && !transB {
                let depth = directWork / (m * n) / 8 * 8
                if depth >= 64 {
                    var k0 = 0
                    while k0 < k {
                        let len = min(depth, k - k0)
                        product(true, false, m, n, len, alpha, a + k0 * lda, lda, b + k0 * ldb, ldb, k0 == 0 ? beta : 1, c, ldc)
                        k0 += len
                    }
                    return
                }
            }
        }
        product(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    @inline(__always)
    static func sgemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                      _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                      _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(max(1, lda)), b, Int32(max(1, ldb)),
                    beta, c, Int32(max(1, ldc)))
    }

    /// One CBLAS sgemm on the calling thread, exactly as given: no split across threads, no
    /// pieces, no transposed copy. For kernels that already run one task per thread and size
    /// their blocks themselves (the fused softmax attention).
    @inline(__always)
    public static func gemmOnThisThread(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                                        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// C[m×n] (+)= op(A) · op(B) on views.
    public static func gemm(_ a: MatrixView, transA: Bool = false, _ b: MatrixView, transB: Bool = false,
                            into c: MatrixView, alpha: Float = 1, beta: Float = 0) {
        let m = transA ? a.cols : a.rows
        let k = transA ? a.rows : a.cols
        let kb = transB ? b.cols : b.rows
        let n = transB ? b.rows : b.cols
        precondition(k == kb, "gemm: inner dimensions \(k) and \(kb) differ")
        precondition(c.rows == m && c.cols == n, "gemm: output is \(c.rows)×\(c.cols), expected \(m)×\(n)")
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
             a: a.ptr, lda: a.ld, b: b.ptr, ldb: b.ld, beta: beta, c: c.ptr, ldc: c.ld)
    }

    public static func axpy(_ n: Int, _ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(Int32(n), alpha, x, 1, y, 1)
    }
}
