/// The register-blocked matrix micro-kernel shared by the attention kernels (tiled Taylor, fused
/// softmax) and `BLAS.gemm`'s small products (RetortCore), for widths that are a multiple of 16.
///
/// A 4-row × 64-column block of C lives in 16 SIMD16 accumulators (AVX-512: 16 of the 32 vector
/// registers); each step of the inner dimension does 4 vector loads of B, 4 broadcasts of A and
/// 16 fused multiply-adds. B is read in place (row-major, any stride); A through two strides, so
/// a transposed A costs nothing. There is no packing and no cache blocking: it is for the short
/// inner dimensions (≤ 1024) of attention blocks and ViT/MLP layers, where OpenBLAS's packing
/// dominates (1.1–1.3× its speed measured side by side on these shapes, docs/performance.md).

@inlinable @inline(__always) public func tileLoad16(_ p: UnsafePointer<Float>) -> SIMD16<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }
@inlinable @inline(__always) public func tileStore16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self) }

/// C[m·ldc + j] (+)= Σ_k A(m, k)·B[k·ldb + j] for m < rows, j < width, k < depth, where
/// A(m, k) = a[m·sm + k·sk] (so a transposed A is the same call with the strides swapped).
/// `width` is a multiple of 16; rows go 4 at a time, the last 1–3 one at a time (so no row
/// of A or C past `rows` is touched). `accumulate: false` overwrites C (β = 0: nothing to zero).
@inlinable
public func tileAccumulate(_ a: UnsafePointer<Float>, sm: Int, sk: Int, _ b: UnsafePointer<Float>, ldb: Int, depth: Int,
                    rows: Int, width: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = true) {
    @inline(__always) func start(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> { accumulate ? tileLoad16(p) : SIMD16<Float>() }
    var r = 0
    while r + 4 <= rows {
        let a0 = a + r * sm, a1 = a0 + sm, a2 = a1 + sm, a3 = a2 + sm
        let r0 = c + r * ldc, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc
        var g = 0
        while g + 64 <= width {
            var c00 = start(r0 + g), c01 = start(r0 + g + 16), c02 = start(r0 + g + 32), c03 = start(r0 + g + 48)
            var c10 = start(r1 + g), c11 = start(r1 + g + 16), c12 = start(r1 + g + 32), c13 = start(r1 + g + 48)
            var c20 = start(r2 + g), c21 = start(r2 + g + 16), c22 = start(r2 + g + 32), c23 = start(r2 + g + 48)
            var c30 = start(r3 + g), c31 = start(r3 + g + 16), c32 = start(r3 + g + 32), c33 = start(r3 + g + 48)
            for k in 0..<depth {
                let bp = b + k * ldb + g
                let b0 = tileLoad16(bp), b1 = tileLoad16(bp + 16), b2 = tileLoad16(bp + 32), b3 = tileLoad16(bp + 48)
                let o = k * sk
                let x0 = SIMD16<Float>(repeating: a0[o])
                c00 = fma16(x0, b0, c00); c01 = fma16(x0, b1, c01); c02 = fma16(x0, b2, c02); c03 = fma16(x0, b3, c03)
                let x1 = SIMD16<Float>(repeating: a1[o])
                c10 = fma16(x1, b0, c10); c11 = fma16(x1, b1, c11); c12 = fma16(x1, b2, c12); c13 = fma16(x1, b3, c13)
                let x2 = SIMD16<Float>(repeating: a2[o])
                c20 = fma16(x2, b0, c20); c21 = fma16(x2, b1, c21); c22 = fma16(x2, b2, c22); c23 = fma16(x2, b3, c23)
                let x3 = SIMD16<Float>(repeating: a3[o])
                c30 = fma16(x3, b0, c30); c31 = fma16(x3, b1, c31); c32 = fma16(x3, b2, c32); c33 = fma16(x3, b3, c33)
            }
            tileStore16(c00, r0 + g); tileStore16(c01, r0 + g + 16); tileStore16(c02, r0 + g + 32); tileStore16(c03, r0 + g + 48)
            tileStore16(c10, r1 + g); tileStore16(c11, r1 + g + 16); tileStore16(c12, r1 + g + 32); tileStore16(c13, r1 + g + 48)
            tileStore16(c20, r2 + g); tileStore16(c21, r2 + g + 16); tileStore16(c22, r2 + g + 32); tileStore16(c23, r2 + g + 48)
            tileStore16(c30, r3 + g); tileStore16(c31, r3 + g + 16); tileStore16(c32, r3 + g + 32); tileStore16(c33, r3 + g + 48)
            g += 64
        }
        while g < width {
            var c0 = start(r0 + g), c1 = start(r1 + g), c2 = start(r2 + g), c3 = start(r3 + g)
            for k in 0..<depth {
                let b0 = tileLoad16(b + k * ldb + g)
                let o = k * sk
                c0 = fma16(SIMD16<Float>(repeating: a0[o]), b0, c0); c1 = fma16(SIMD16<Float>(repeating: a1[o]), b0, c1)
                c2 = fma16(SIMD16<Float>(repeating: a2[o]), b0, c2); c3 = fma16(SIMD16<Float>(repeating: a3[o]), b0, c3)
            }
            tileStore16(c0, r0 + g); tileStore16(c1, r1 + g); tileStore16(c2, r2 + g); tileStore16(c3, r3 + g)
            g += 16
        }
        r += 4
    }
    while r < rows {
        let a0 = a + r * sm, r0 = c + r * ldc
        var g = 0
        while g + 64 <= width {
            var c0 = start(r0 + g), c1 = start(r0 + g + 16), c2 = start(r0 + g + 32), c3 = start(r0 + g + 48)
            for k in 0..<depth {
                let bp = b + k * ldb + g, x = SIMD16<Float>(repeating: a0[k * sk])
                c0 = fma16(x, tileLoad16(bp), c0); c1 = fma16(x, tileLoad16(bp + 16), c1)
                c2 = fma16(x, tileLoad16(bp + 32), c2); c3 = fma16(x, tileLoad16(bp + 48), c3)
            }
            tileStore16(c0, r0 + g); tileStore16(c1, r0 + g + 16); tileStore16(c2, r0 + g + 32); tileStore16(c3, r0 + g + 48)
            g += 64
        }
        while g < width {
            var c0 = start(r0 + g)
            for k in 0..<depth { c0 = fma16(SIMD16<Float>(repeating: a0[k * sk]), tileLoad16(b + k * ldb + g), c0) }
            tileStore16(c0, r0 + g)
            g += 16
        }
        r += 1
    }
}

