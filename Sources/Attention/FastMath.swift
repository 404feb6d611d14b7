import VectorMath
import RetortCore

/// Vectorised helpers for the attention kernels (auto-vectorised SIMD16 code under -Ounchecked).

typealias V16 = SIMD16<Float>

// fma16, vmax, vmin, hmax and simdExp live in the VectorMath target, shared with GELU.

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

/// In place: r[j] ← e^(r[j] − shift) for j < n, where shift ≥ every r[j] − 88 (the row max or
/// its log-sum-exp; `simdExpShifted`); returns the sum of the new values.
@inline(__always)
func expShiftedSum(_ r: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Float {
    let sv = V16(repeating: shift)
    var acc = V16.zero
    var i = 0
    while i + 16 <= n {
        let e = simdExpShifted(load16(r + i) - sv)
        store16(e, r + i); acc += e; i += 16
    }
    var s = acc.sum()
    if i < n {                                   // the last n mod 16 values: one partial vector
        var t = V16(repeating: -.infinity)
        for l in 0..<(n - i) { t[l] = r[i + l] }
        let e = simdExpShifted(t - sv)
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

/// The attention kernels' vectorised e^x over a buffer, for callers outside the kernels (the
/// accuracy tests compare them with Foundation's exp): `exp` is `simdExp`, `expShifted` the
/// fused softmax's `simdExpShifted` (arguments ≤ 88).
public enum FastMath {
    public static func exp(_ x: [Float]) -> [Float] { map(x) { simdExp($0) } }
    public static func expShifted(_ x: [Float]) -> [Float] { map(x) { simdExpShifted($0) } }

    static func map(_ x: [Float], _ f: (V16) -> V16) -> [Float] {
        var y = x
        y.withUnsafeMutableBufferPointer { b in
            guard let p = b.baseAddress else { return }
            let n = b.count
            var i = 0
            while i + 16 <= n { store16(f(load16(p + i)), p + i); i += 16 }
            if i < n {
                var t = V16.zero
                for l in 0..<(n - i) { t[l] = p[i + l] }
                let e = f(t)
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
