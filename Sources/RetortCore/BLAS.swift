import CBLAS

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
    @inline(__always)
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
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(max(1, lda)), b, Int32(max(1, ldb)),
                    beta, c, Int32(max(1, ldc)))
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
