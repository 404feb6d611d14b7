/// Vector primitives for 16 float lanes, shared by the attention kernels and GELU
/// (auto-vectorised SIMD16 code under -Ounchecked).

@inlinable @inline(__always) public func fma16(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>) -> SIMD16<Float> { c.addingProduct(a, b) }

/// Lane-wise max and min by compare and blend. The standard library's `pointwiseMax`/`pointwiseMin`
/// (IEEE maximum with its NaN rules) compile to per-lane code here, about 38× slower on a
/// 512-value row max (measured with swiftc -Ounchecked on AVX-512).
@inlinable @inline(__always) public func vmax(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { var r = a; r.replace(with: b, where: b .> a); return r }
@inlinable @inline(__always) public func vmin(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { var r = a; r.replace(with: b, where: b .< a); return r }
/// The largest lane.
@inlinable @inline(__always) public func hmax(_ a: SIMD16<Float>) -> Float {
    let b = max8(a.lowHalf, a.highHalf), c = max4(b.lowHalf, b.highHalf)
    var m = c[0]
    for l in 1..<4 where c[l] > m { m = c[l] }
    return m
}
@usableFromInline @inline(__always) func max8(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { var r = a; r.replace(with: b, where: b .> a); return r }
@usableFromInline @inline(__always) func max4(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> { var r = a; r.replace(with: b, where: b .> a); return r }

/// e^x for 16 lanes: Cephes' single-precision range reduction and degree-6 polynomial
/// (relative error about 2 ulp), the scheme of Sleef/PyTorch's vectorised exp.
/// Inputs are clamped to [−87.34, 88.38], so very negative inputs give ≈ 1e-38, not 0.
/// Rounding and the 2^k scaling use the 1.5·2²³ "magic number" trick (plain float adds and
/// integer bit operations), which keeps the whole function in vector registers.
/// `@_transparent` (mandatory inlining): as `@inlinable @inline(__always)` it stayed an
/// out-of-line call in every caller of another module (GELU, the softmax kernels), with the
/// 16 lanes passed through memory.
@_transparent
public func simdExp(_ x0: SIMD16<Float>) -> SIMD16<Float> {
    var x = vmin(vmax(x0, SIMD16<Float>(repeating: -87.336544)), SIMD16<Float>(repeating: 88.376262))
    let magic = SIMD16<Float>(repeating: 12_582_912)                       // 1.5·2²³
    let fx = fma16(x, SIMD16<Float>(repeating: 1.44269504088896341), magic) - magic   // round(x·log2 e)
    x = fma16(fx, SIMD16<Float>(repeating: -0.693359375), x)
    x = fma16(fx, SIMD16<Float>(repeating: 2.12194440e-4), x)
    var y = fma16(SIMD16<Float>(repeating: 1.9875691500e-4), x, SIMD16<Float>(repeating: 1.3981999507e-3))
    y = fma16(y, x, SIMD16<Float>(repeating: 8.3334519073e-3))
    y = fma16(y, x, SIMD16<Float>(repeating: 4.1665795894e-2))
    y = fma16(y, x, SIMD16<Float>(repeating: 1.6666665459e-1))
    y = fma16(y, x, SIMD16<Float>(repeating: 5.0000001201e-1))
    y = fma16(y, x * x, x + 1)
    let k = unsafeBitCast(fx + magic, to: SIMD16<Int32>.self) &- unsafeBitCast(magic, to: SIMD16<Int32>.self)
    return y * unsafeBitCast((k &+ 127) &<< 23, to: SIMD16<Float>.self)
}

/// e^x for 16 lanes and x ≤ 88 (the softmax kernels' shifted scores, x = s − max ≤ 0), with
/// relative error below 4e-7 (≈ 3 ulp; `simdExp`'s is ≈ 2 ulp) in 11 vector operations instead
/// of `simdExp`'s 19: one-step range reduction x = k·ln 2 + r (|r| ≤ ln 2 / 2, k by the magic
/// number), a degree-5 polynomial for e^r with the constant term 1 (so e^0 = 1 exactly; the other
/// coefficients a relative-error minimax fit, tools/fit_exp_poly.py) and 2^k from the magic
/// number's bits shifted into the exponent field (the magic number carries the bias 127). Only a
/// lower clamp: x below −87.3 gives ≈ 1.2e-38, like `simdExp`; x above 88 is outside the domain.
/// PyTorch's CPU flash attention uses a polynomial of the same degree (its `exp_u20`).
@_transparent
public func simdExpShifted(_ x0: SIMD16<Float>) -> SIMD16<Float> {
    let x = vmax(x0, SIMD16<Float>(repeating: -87.3))
    let magic = SIMD16<Float>(repeating: 12_583_039)                       // 1.5·2²³ + 127
    let t = fma16(x, SIMD16<Float>(repeating: 1.44269504088896341), magic) // magic + round(x·log2 e)
    let r = fma16(t - magic, SIMD16<Float>(repeating: -0.693147180559945), x)
    var p = fma16(SIMD16<Float>(repeating: 8.29032e-3), r, SIMD16<Float>(repeating: 4.189793e-2))
    p = fma16(p, r, SIMD16<Float>(repeating: 0.16667636))
    p = fma16(p, r, SIMD16<Float>(repeating: 0.4999915))
    p = fma16(p, r, SIMD16<Float>(repeating: 0.9999997))
    p = fma16(p, r, SIMD16<Float>(repeating: 1))
    return p * unsafeBitCast(unsafeBitCast(t, to: SIMD16<Int32>.self) &<< 23, to: SIMD16<Float>.self)
}
