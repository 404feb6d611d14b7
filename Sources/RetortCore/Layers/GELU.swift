import VectorMath
import Foundation

/// Exact GELU, y = x·Φ(x) = x/2·(1 + erf(x/√2)) (PyTorch's default, approximate='none').
///
/// erf is evaluated 16 lanes at a time with Abramowitz & Stegun 7.1.26 (absolute error
/// ≤ 1.5e-7, the form of PyTorch's vectorised CPU `erf`) and e^x with Cephes' polynomial:
/// the libm `erff`/`expf` per element made GELU 40 % of a vit-mnist training step
/// (`retort bench vit --profile`, docs/performance.md).
public final class GELU: Layer {
    private var input: Tensor?
    public init() {}

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let y = Tensor(uninitializedShape: x.shape)
        let xp = x.data, yp = y.data
        parallelChunks(x.count, minChunk: 1 << 13) { _, r in
            GELUMath.apply(xp, yp, nil, r) { v, _, cdf, _ in v * cdf }
        }
        input = x
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("GELU.backward before forward") }
        precondition(dy.count == x.count, "GELU.backward: dy \(dy.shape) vs \(x.shape)")
        let dx = Tensor(uninitializedShape: x.shape)
        let xp = x.data, gp = dy.data, dp = dx.data
        // dy/dx = Φ(x) + x·φ(x)
        parallelChunks(x.count, minChunk: 1 << 13) { _, r in
            GELUMath.apply(xp, dp, UnsafePointer(gp), r) { v, g, cdf, pdf in g * (cdf + v * pdf) }
        }
        return dx
    }
}

enum GELUMath {
    typealias V = SIMD16<Float>

    /// out[i] = f(x[i], g[i], Φ(x[i]), φ(x[i])) over `range`, 16 at a time (the tail padded).
    @inline(__always)
    static func apply(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>?, _ range: Range<Int>,
                      _ f: (V, V, V, V) -> V) {
        var i = range.lowerBound
        while i + 16 <= range.upperBound {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
            let gv = g.map { UnsafeRawPointer($0 + i).loadUnaligned(as: V.self) } ?? V()
            let (cdf, pdf) = cdfPdf(v)
            UnsafeMutableRawPointer(out + i).storeBytes(of: f(v, gv, cdf, pdf), as: V.self)
            i += 16
        }
        let rest = range.upperBound - i
        guard rest > 0 else { return }
        var v = V(), gv = V()
        for j in 0..<rest { v[j] = x[i + j]; if let g { gv[j] = g[i + j] } }
        let (cdf, pdf) = cdfPdf(v)
        let r = f(v, gv, cdf, pdf)
        for j in 0..<rest { out[i + j] = r[j] }
    }

    /// Φ(x) = (1 + erf(x/√2))/2 and φ(x) = e^(−x²/2)/√(2π); erf(a) for a = |x|/√2 is
    /// 1 − t·(a1 + t·(a2 + …))·e^(−a²) with t = 1/(1 + p·a), and e^(−a²) = e^(−x²/2) is shared.
    @inline(__always)
    static func cdfPdf(_ x: V) -> (V, V) {
        // |x| and the sign by bit masks: lane-wise max, negation and select compile to scalar code
        let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self)
        let sign = bits & SIMD16<UInt32>(repeating: 0x8000_0000)
        let a = unsafeBitCast(bits & SIMD16<UInt32>(repeating: 0x7FFF_FFFF), to: V.self) * V(repeating: 0.70710678118654752)
        let e = simdExp((x * x) * V(repeating: -0.5))
        let t = V(repeating: 1) / (V(repeating: 1) + V(repeating: 0.3275911) * a)
        var p = V(repeating: 1.061405429)
        p = p * t + V(repeating: -1.453152027)
        p = p * t + V(repeating: 1.421413741)
        p = p * t + V(repeating: -0.284496736)
        p = p * t + V(repeating: 0.254829592)
        let erfAbs = V(repeating: 1) - p * t * e
        let erf = unsafeBitCast(unsafeBitCast(erfAbs, to: SIMD16<UInt32>.self) | sign, to: V.self)
        return (V(repeating: 0.5) * (V(repeating: 1) + erf), V(repeating: 0.39894228040143268) * e)
    }
}
