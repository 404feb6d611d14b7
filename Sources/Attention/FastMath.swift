import RetortCore

/// Vectorised helpers for the attention kernels (auto-vectorised SIMD16 code under -Ounchecked).

typealias V16 = SIMD16<Float>

@inline(__always) func fma16(_ a: V16, _ b: V16, _ c: V16) -> V16 { c.addingProduct(a, b) }

/// Lane-wise max and min by compare and blend. The standard library's `pointwiseMax`/`pointwiseMin`
/// (IEEE maximum with its NaN rules) compile to per-lane code here, about 38× slower on a
/// 512-value row max (measured with swiftc -Ounchecked on AVX-512).
@inline(__always) func vmax(_ a: V16, _ b: V16) -> V16 { var r = a; r.replace(with: b, where: b .> a); return r }
@inline(__always) func vmin(_ a: V16, _ b: V16) -> V16 { var r = a; r.replace(with: b, where: b .< a); return r }
/// The largest lane.
@inline(__always) func hmax(_ a: V16) -> Float {
    let b = max8(a.lowHalf, a.highHalf), c = max4(b.lowHalf, b.highHalf)
    var m = c[0]
    for l in 1..<4 where c[l] > m { m = c[l] }
    return m
}
@inline(__always) private func max8(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { var r = a; r.replace(with: b, where: b .> a); return r }
@inline(__always) private func max4(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> { var r = a; r.replace(with: b, where: b .> a); return r }

/// e^x for 16 lanes: Cephes' single-precision range reduction and degree-6 polynomial
/// (relative error about 2 ulp), the scheme of Sleef/PyTorch's vectorised exp.
/// Inputs are clamped to [−87.34, 88.38], so very negative inputs give ≈ 1e-38, not 0.
/// Rounding and the 2^k scaling use the 1.5·2²³ "magic number" trick (plain float adds and
/// integer bit operations), which keeps the whole function in vector registers.
@inline(__always)
func simdExp(_ x0: V16) -> V16 {
    var x = vmin(vmax(x0, V16(repeating: -87.336544)), V16(repeating: 88.376262))
    let magic = V16(repeating: 12_582_912)                       // 1.5·2²³
    let fx = fma16(x, V16(repeating: 1.44269504088896341), magic) - magic   // round(x·log2 e)
    x = fma16(fx, V16(repeating: -0.693359375), x)
    x = fma16(fx, V16(repeating: 2.12194440e-4), x)
    var y = fma16(V16(repeating: 1.9875691500e-4), x, V16(repeating: 1.3981999507e-3))
    y = fma16(y, x, V16(repeating: 8.3334519073e-3))
    y = fma16(y, x, V16(repeating: 4.1665795894e-2))
    y = fma16(y, x, V16(repeating: 1.6666665459e-1))
    y = fma16(y, x, V16(repeating: 5.0000001201e-1))
    y = fma16(y, x * x, x + 1)
    let k = unsafeBitCast(fx + magic, to: SIMD16<Int32>.self) &- unsafeBitCast(magic, to: SIMD16<Int32>.self)
    return y * unsafeBitCast((k &+ 127) &<< 23, to: V16.self)
}

@inline(__always) func load16(_ p: UnsafePointer<Float>) -> V16 { UnsafeRawPointer(p).loadUnaligned(as: V16.self) }
@inline(__always) func store16(_ v: V16, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V16.self) }

/// The largest of n values (−∞ for n = 0).
@inline(__always)
func rowMax(_ r: UnsafePointer<Float>, _ n: Int) -> Float {
    var i = 0
    var a = V16(repeating: -.infinity), b = a
    while i + 32 <= n { a = vmax(a, load16(r + i)); b = vmax(b, load16(r + i + 16)); i += 32 }
    if i + 16 <= n { a = vmax(a, load16(r + i)); i += 16 }
    var m = hmax(vmax(a, b))
    while i < n { if r[i] > m { m = r[i] }; i += 1 }
    return m
}

/// In place: r[j] ← e^(r[j] − shift) for j < n; returns the sum of the new values.
@inline(__always)
func expShiftedSum(_ r: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Float {
    let sv = V16(repeating: shift)
    var acc = V16.zero
    var i = 0
    while i + 16 <= n {
        let e = simdExp(load16(r + i) - sv)
        store16(e, r + i); acc += e; i += 16
    }
    var s = acc.sum()
    if i < n {                                   // the last n mod 16 values: one partial vector
        var t = V16(repeating: -.infinity)
        for l in 0..<(n - i) { t[l] = r[i + l] }
        let e = simdExp(t - sv)
        for l in 0..<(n - i) { r[i + l] = e[l]; s += e[l] }
    }
    return s
}

/// In place: r[j] ← a·r[j] for j < n.
@inline(__always)
func scaleRow(_ r: UnsafeMutablePointer<Float>, _ n: Int, by a: Float) {
    let av = V16(repeating: a)
    var i = 0
    while i + 16 <= n { store16(load16(r + i) * av, r + i); i += 16 }
    while i < n { r[i] *= a; i += 1 }
}

/// The attention kernels' vectorised e^x (`simdExp`) over a buffer, for callers outside the
/// kernels (its accuracy test compares it with Foundation's exp).
public enum FastMath {
    public static func exp(_ x: [Float]) -> [Float] {
        var y = x
        y.withUnsafeMutableBufferPointer { b in
            guard let p = b.baseAddress else { return }
            let n = b.count
            var i = 0
            while i + 16 <= n { store16(simdExp(load16(p + i)), p + i); i += 16 }
            if i < n {
                var t = V16.zero
                for l in 0..<(n - i) { t[l] = p[i + l] }
                let e = simdExp(t)
                for l in 0..<(n - i) { p[i + l] = e[l] }
            }
        }
        return y
    }
}

/// In place: r ← softmax(r) over n values, numerically stable (max subtraction).
/// Per row: n compares, n subtractions, n exps, n additions (the sum), n divisions.
@inline(__always)
func softmaxRowInPlace(_ r: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    var mv = V16(repeating: -.infinity)
    while i + 16 <= n { mv = vmax(mv, load16(r + i)); i += 16 }
    var m: Float = -.infinity
    for l in 0..<16 { m = max(m, mv[l]) }
    while i < n { m = max(m, r[i]); i += 1 }
    let mm = V16(repeating: m)
    var sv = V16.zero
    i = 0
    while i + 16 <= n {
        let e = simdExp(load16(r + i) - mm)
        store16(e, r + i); sv += e; i += 16
    }
    var s: Float = 0
    for l in 0..<16 { s += sv[l] }
    if i < n {                                   // the last n mod 16 values: one partial vector
        var t = V16(repeating: 0)
        for l in 0..<(n - i) { t[l] = r[i + l] - m }
        let e = simdExp(t)
        for l in 0..<(n - i) { r[i + l] = e[l]; s += e[l] }
    }
    let sd = V16(repeating: s)
    i = 0
    while i + 16 <= n { store16(load16(r + i) / sd, r + i); i += 16 }
    while i < n { r[i] /= s; i += 1 }
}

/// Σ_j a[j]·b[j] in Float with 16 lanes.
@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = V16.zero
    var i = 0
    while i + 16 <= n { acc += load16(a + i) * load16(b + i); i += 16 }
    var s: Float = 0
    for l in 0..<16 { s += acc[l] }
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

/// sums[c] = Σ_r m[r·ld + c] accumulated in Double (cols values).
@inline(__always)
func columnSums(_ m: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int, into sums: UnsafeMutablePointer<Double>) {
    sums.update(repeating: 0, count: cols)
    for r in 0..<rows {
        let row = m + r * ld
        for c in 0..<cols { sums[c] += Double(row[c]) }
    }
}

/// Runs `body` over row ranges of 0..<n: split across threads when `parallel`, else inline.
@inline(__always)
func rowLoop(_ n: Int, parallel: Bool, minChunk: Int, _ body: (Range<Int>) -> Void) {
    if parallel { parallelChunks(n, minChunk: minChunk) { _, r in body(r) } } else { body(0..<n) }
}
