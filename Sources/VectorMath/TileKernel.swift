import CVectorWidth

/// The register-blocked matrix micro-kernel shared by the attention kernels (tiled Taylor, fused
/// softmax) and `BLAS.gemm`'s small products (RetortCore), for widths that are a multiple of 16.
///
/// Its block of C fits the register file the build targets (RT_VECTOR_BITS, from -target-cpu):
/// - AVX-512 (32 × 512-bit registers): 4 rows × 64 columns in 16 SIMD16 accumulators; each step
///   of the inner dimension does 4 vector loads of B, 4 broadcasts of A and 16 fused multiply-adds.
/// - AVX2 (16 × 256-bit registers): 6 rows × 16 columns, 12 registers of accumulators, 2 of B and
///   1 broadcast (the shape of OpenBLAS's Haswell sgemm kernel; the 4 × 64 block would need 32
///   registers and spill on every step: 0.45–0.6× PyTorch's SDPA on an AVX2 EPYC before this).
///
/// B is read in place (row-major, any stride); A through two strides, so
/// a transposed A costs nothing. There is no packing and no cache blocking: it is for the short
/// inner dimensions (≤ 1024) of attention blocks and ViT/MLP layers, where OpenBLAS's packing
/// dominates (1.1–1.3× its speed measured side by side on these shapes, docs/performance.md).

@inlinable @inline(__always) public func tileLoad16(_ p: UnsafePointer<Float>) -> SIMD16<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }
@inlinable @inline(__always) public func tileStore16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self) }

/// C[m·ldc + j] (+)= Σ_k A(m, k)·B(k, j) for m < rows, j < width, k < depth, where
/// A(m, k) = a[m·sm + k·sk] (so a transposed A is the same call with the strides swapped) and
/// B(k, j) = b[(j / 16)·panel + k·ldb + j % 16]: row-major B is `panel` 16 (the default); B packed
/// in 16-column panels, each a contiguous depth × 16 block, is `ldb` 16 and `panel` its size.
/// `width` is a multiple of 16; rows go in blocks of 4 (AVX-512) or 6 (AVX2) (no row of A or C
/// past `rows` is touched). `accumulate: false` overwrites C (β = 0: nothing to zero).
/// Rows of A per register block of `tileAccumulate`: callers that choose a block height (the fused
/// softmax's query blocks) use a multiple of it, so no row runs on the one-row remainder loop.
@inlinable public var tileRowBlock: Int { RT_VECTOR_BITS >= 512 ? 4 : 6 }

@inlinable
public func tileAccumulate(_ a: UnsafePointer<Float>, sm: Int, sk: Int, _ b: UnsafePointer<Float>, ldb: Int, panel: Int = 16, depth: Int,
                    rows: Int, width: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = true) {
    if RT_VECTOR_BITS >= 512 {
        tileAccumulateWide(a, sm: sm, sk: sk, b, ldb: ldb, panel: panel, depth: depth, rows: rows, width: width, c, ldc: ldc, accumulate: accumulate)
    } else {
        tileAccumulateNarrow(a, sm: sm, sk: sk, b, ldb: ldb, panel: panel, depth: depth, rows: rows, width: width, c, ldc: ldc, accumulate: accumulate)
    }
}

/// `tileAccumulate` in 4 × 64 blocks (AVX-512).
@inlinable
public func tileAccumulateWide(_ a: UnsafePointer<Float>, sm: Int, sk: Int, _ b: UnsafePointer<Float>, ldb: Int, panel: Int = 16, depth: Int,
                    rows: Int, width: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
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
                let bp = b + (g >> 4) * panel + k * ldb
                let b0 = tileLoad16(bp), b1 = tileLoad16(bp + panel), b2 = tileLoad16(bp + 2 * panel), b3 = tileLoad16(bp + 3 * panel)
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
            let bg = b + (g >> 4) * panel
            for k in 0..<depth {
                let b0 = tileLoad16(bg + k * ldb)
                let o = k * sk
                c0 = fma16(SIMD16<Float>(repeating: a0[o]), b0, c0); c1 = fma16(SIMD16<Float>(repeating: a1[o]), b0, c1)
                c2 = fma16(SIMD16<Float>(repeating: a2[o]), b0, c2); c3 = fma16(SIMD16<Float>(repeating: a3[o]), b0, c3)
            }
            tileStore16(c0, r0 + g); tileStore16(c1, r1 + g); tileStore16(c2, r2 + g); tileStore16(c3, r3 + g)
            g += 16
        }
        r += 4
    }
    tileAccumulateRows(a, sm: sm, sk: sk, b, ldb: ldb, panel: panel, depth: depth, rows: r..<rows, width: width, c, ldc: ldc, accumulate: accumulate)
}

/// `tileAccumulate` in 6 × 16 blocks (AVX2: SIMD16 is two 256-bit registers). The inner
/// dimension goes in slices of `tileDepthSlice`, and within a slice column panels are the outer
/// loop, so one 16-wide panel slice of B (≤ 8 KiB) stays in L1 while every row block of A runs
/// against it (a whole 512-deep panel, 32 KiB, would fill L1 and come from L2 once per row
/// block: the P·V product of the fused softmax ran at a third of Q·Kᵀ's speed that way). The
/// last 1–5 rows run as one more 6-row block whose missing rows repeat the last row of A and are
/// not stored (a block's time instead of 1–5 one-row passes).
@inlinable
public func tileAccumulateNarrow(_ a: UnsafePointer<Float>, sm: Int, sk: Int, _ b: UnsafePointer<Float>, ldb: Int, panel: Int = 16, depth: Int,
                    rows: Int, width: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    var k0 = 0
    repeat {
        let kd = min(tileDepthSlice, depth - k0)
        tileAccumulateNarrowSlice(a + k0 * sk, sm: sm, sk: sk, b + k0 * ldb, ldb: ldb, panel: panel, depth: kd,
                                  rows: rows, width: width, c, ldc: ldc, accumulate: accumulate || k0 > 0)
        k0 += kd
    } while k0 < depth
}

/// Inner-dimension slice of the AVX2 blocking: 128 × 16 floats of B = 8 KiB, a quarter of L1.
@inlinable public var tileDepthSlice: Int { 128 }

/// One depth slice of `tileAccumulateNarrow`.
@inlinable
public func tileAccumulateNarrowSlice(_ a: UnsafePointer<Float>, sm: Int, sk: Int, _ b: UnsafePointer<Float>, ldb: Int, panel: Int, depth: Int,
                    rows: Int, width: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    var g = 0
    while g < width {
        let bg = b + (g >> 4) * panel
        var r = 0
        while r < rows {
            let live = min(6, rows - r)
            @inline(__always) func aRow(_ i: Int) -> UnsafePointer<Float> { a + (r + min(i, live - 1)) * sm }
            @inline(__always) func start(_ i: Int) -> SIMD16<Float> {
                accumulate && i < live ? tileLoad16(c + (r + i) * ldc + g) : SIMD16<Float>()
            }
            let a0 = aRow(0), a1 = aRow(1), a2 = aRow(2), a3 = aRow(3), a4 = aRow(4), a5 = aRow(5)
            var c0 = start(0), c1 = start(1), c2 = start(2), c3 = start(3), c4 = start(4), c5 = start(5)
            for k in 0..<depth {
                let b0 = tileLoad16(bg + k * ldb)
                let o = k * sk
                c0 = fma16(SIMD16<Float>(repeating: a0[o]), b0, c0); c1 = fma16(SIMD16<Float>(repeating: a1[o]), b0, c1)
                c2 = fma16(SIMD16<Float>(repeating: a2[o]), b0, c2); c3 = fma16(SIMD16<Float>(repeating: a3[o]), b0, c3)
                c4 = fma16(SIMD16<Float>(repeating: a4[o]), b0, c4); c5 = fma16(SIMD16<Float>(repeating: a5[o]), b0, c5)
            }
            let r0 = c + r * ldc + g
            tileStore16(c0, r0)
            if live > 1 { tileStore16(c1, r0 + ldc) }
            if live > 2 { tileStore16(c2, r0 + 2 * ldc) }
            if live > 3 { tileStore16(c3, r0 + 3 * ldc) }
            if live > 4 { tileStore16(c4, r0 + 4 * ldc) }
            if live > 5 { tileStore16(c5, r0 + 5 * ldc) }
            r += 6
        }
        g += 16
    }
}

/// The rows of `tileAccumulate` left over by the blocked loops, one at a time.
@inlinable
public func tileAccumulateRows(_ a: UnsafePointer<Float>, sm: Int, sk: Int, _ b: UnsafePointer<Float>, ldb: Int, panel: Int = 16, depth: Int,
                    rows: Range<Int>, width: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    @inline(__always) func start(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> { accumulate ? tileLoad16(p) : SIMD16<Float>() }
    var r = rows.lowerBound
    while r < rows.upperBound {
        let a0 = a + r * sm, r0 = c + r * ldc
        var g = 0
        while g + 64 <= width {
            var c0 = start(r0 + g), c1 = start(r0 + g + 16), c2 = start(r0 + g + 32), c3 = start(r0 + g + 48)
            for k in 0..<depth {
                let bp = b + (g >> 4) * panel + k * ldb, x = SIMD16<Float>(repeating: a0[k * sk])
                c0 = fma16(x, tileLoad16(bp), c0); c1 = fma16(x, tileLoad16(bp + panel), c1)
                c2 = fma16(x, tileLoad16(bp + 2 * panel), c2); c3 = fma16(x, tileLoad16(bp + 3 * panel), c3)
            }
            tileStore16(c0, r0 + g); tileStore16(c1, r0 + g + 16); tileStore16(c2, r0 + g + 32); tileStore16(c3, r0 + g + 48)
            g += 64
        }
        while g < width {
            var c0 = start(r0 + g)
            let bg = b + (g >> 4) * panel
            for k in 0..<depth { c0 = fma16(SIMD16<Float>(repeating: a0[k * sk]), tileLoad16(bg + k * ldb), c0) }
            tileStore16(c0, r0 + g)
            g += 16
        }
        r += 1
    }
}
