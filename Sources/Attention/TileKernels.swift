import VectorMath
/// Packing helpers of the tiled Taylor attention (`TaylorTiledKernel`); the micro-kernel both it and
/// the fused softmax run on, `tileAccumulate`, lives in VectorMath (shared with `BLAS.gemm`).

/// Copies rows × d values (row stride `lds`) into `dst` (row stride `ldd` ≥ d) times `scale`,
/// zero-filling columns d..<ldd and rows rows..<padRows.
@inline(__always)
func packRows(_ src: UnsafePointer<Float>, lds: Int, rows: Int, d: Int, scale: Float,
              into dst: UnsafeMutablePointer<Float>, ldd: Int, padRows: Int) {
    for r in 0..<rows {
        let s = src + r * lds, o = dst + r * ldd
        for c in 0..<d { o[c] = s[c] * scale }
        for c in d..<ldd { o[c] = 0 }
    }
    if padRows > rows { (dst + rows * ldd).update(repeating: 0, count: (padRows - rows) * ldd) }
}

@inline(__always) func roundUp(_ x: Int, _ m: Int) -> Int { (x + m - 1) / m * m }
