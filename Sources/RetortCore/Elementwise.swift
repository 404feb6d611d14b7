/// Vectorised elementwise helpers over Tensors and raw buffers.
///
/// The loops are plain pointer loops that LLVM auto-vectorises under -Ounchecked.
/// Tensor versions require equal element counts (shapes may differ, e.g. a view).
public enum Elementwise {
    // MARK: raw buffers

    /// out[i] = a[i] + b[i]  (out may alias a or b).
    @inline(__always)
    public static func add(_ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                           into out: UnsafeMutablePointer<Float>) {
        for i in 0..<n { out[i] = a[i] + b[i] }
    }

    /// y[i] += alpha · x[i]
    @inline(__always)
    public static func axpy(_ n: Int, _ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        for i in 0..<n { y[i] += alpha * x[i] }
    }

    /// x[i] *= alpha
    @inline(__always)
    public static func scale(_ n: Int, _ alpha: Float, _ x: UnsafeMutablePointer<Float>) {
        for i in 0..<n { x[i] *= alpha }
    }

    /// dx[i] = dy[i] where lo < y[i] < hi, else 0 — the backward of ReLU-like clamps.
    /// Branch-free SIMD: a data-dependent branch here mispredicts half the time.
    @inline(__always)
    public static func passGradient(_ n: Int, where y: UnsafePointer<Float>, above lo: Float, below hi: Float,
                                    _ dy: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        typealias V = SIMD8<Float>
        let vlo = V(repeating: lo), vhi = V(repeating: hi), zero = V(repeating: 0)
        var i = 0
        while i + 8 <= n {
            let yv = UnsafeRawPointer(y + i).loadUnaligned(as: V.self)
            let g = UnsafeRawPointer(dy + i).loadUnaligned(as: V.self)
            let r = zero.replacing(with: g, where: (yv .> vlo) .& (yv .< vhi))
            UnsafeMutableRawPointer(dx + i).storeBytes(of: r, as: V.self)
            i += 8
        }
        while i < n { dx[i] = (y[i] > lo && y[i] < hi) ? dy[i] : 0; i += 1 }
    }

    // MARK: tensors

    /// A new tensor a + b (shape of a).
    public static func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.count == b.count, "add: \(a.shape) and \(b.shape) differ in size")
        let out = Tensor(shape: a.shape)
        add(a.count, a.data, b.data, into: out.data)
        return out
    }

    /// y += x
    public static func add(_ x: Tensor, into y: Tensor) {
        precondition(x.count == y.count, "add: \(x.shape) into \(y.shape)")
        add(y.count, y.data, x.data, into: y.data)
    }

    /// y += alpha · x
    public static func axpy(_ alpha: Float, _ x: Tensor, _ y: Tensor) {
        precondition(x.count == y.count, "axpy: \(x.shape) into \(y.shape)")
        axpy(y.count, alpha, x.data, y.data)
    }

    /// x *= alpha, in place.
    public static func scale(_ x: Tensor, by alpha: Float) { scale(x.count, alpha, x.data) }

    /// A new tensor alpha · x.
    public static func scaled(_ x: Tensor, by alpha: Float) -> Tensor {
        let out = Tensor(shape: x.shape)
        let s = x.data, d = out.data
        for i in 0..<x.count { d[i] = alpha * s[i] }
        return out
    }

    // MARK: reductions used by backward passes

    /// sums[j] += Σ_r m[r·ld + j] for j < cols (e.g. a bias gradient from dy).
    /// Accumulates in Double per chunk of rows and combines chunks in order, so the
    /// result is deterministic for a given thread count.
    public static func addColumnSums(_ m: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int? = nil,
                                     into sums: UnsafeMutablePointer<Float>) {
        let ld = ld ?? cols
        if rows == 0 || cols == 0 { return }
        let chunks = Threads.count
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: chunks * cols)
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: chunks * cols)
        parallelChunks(rows, minChunk: max(1, 16384 / cols)) { chunk, range in
            let acc = partial + chunk * cols
            for r in range {
                let row = m + r * ld
                for j in 0..<cols { acc[j] += Double(row[j]) }
            }
        }
        for j in 0..<cols {
            var s = 0.0
            for c in 0..<chunks { s += partial[c * cols + j] }
            sums[j] += Float(s)
        }
    }
}
