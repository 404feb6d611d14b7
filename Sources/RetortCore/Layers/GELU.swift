import VectorMath
import Foundation

/// Exact GELU, y = x·Φ(x) = x/2·(1 + erf(x/√2)) (PyTorch's default, approximate='none').
///
/// erf is evaluated 16 lanes at a time with Abramowitz & Stegun 7.1.26 (absolute error
/// ≤ 1.5e-7, the form of PyTorch's vectorised CPU `erf`) and e^x with Cephes' polynomial:
/// the libm `erff`/`expf` per element made GELU 40 % of a vit-mnist training step
/// (`retort bench vit --profile`, docs/performance.md).
///
/// A training forward also writes the derivative Φ(x) + x·φ(x), from the same Φ and φ, and
/// keeps it instead of the input: backward is then one multiply per element instead of a
/// second erf and e^x (PyTorch's `gelu_backward` recomputes them), with the same memory
/// (one tensor kept either way) and the same arithmetic, so the same bits.
public final class GELU: Layer {
    /// dy/dx at the last training forward's input.
    private var derivative: Tensor?
    public init() {}

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let y = Tensor(uninitializedShape: x.shape)
        let xp = x.data, yp = y.data
        if training {
            let d = Tensor(uninitializedShape: x.shape)
            let dp = d.data
            parallelChunks(x.count, minChunk: 1 << 13) { _, r in GELUMath.values(xp, yp, derivative: dp, r) }
            derivative = d
        } else {
            parallelChunks(x.count, minChunk: 1 << 13) { _, r in GELUMath.values(xp, yp, derivative: nil, r) }
            derivative = nil
        }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let d = derivative else { preconditionFailure("GELU.backward without a training forward") }
        precondition(dy.count == d.count, "GELU.backward: dy \(dy.shape) vs \(d.shape)")
        let dx = Tensor(uninitializedShape: d.shape)
        let gp = dy.data, dp = d.data, op = dx.data
        // dx = dy·(Φ(x) + x·φ(x)), the bracket from the forward
        parallelChunks(d.count, minChunk: 1 << 14) { _, r in
            var i = r.lowerBound
            while i + 16 <= r.upperBound {
                let g = UnsafeRawPointer(gp + i).loadUnaligned(as: SIMD16<Float>.self)
                let v = UnsafeRawPointer(dp + i).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(op + i).storeBytes(of: g * v, as: SIMD16<Float>.self)
                i += 16
            }
            while i < r.upperBound { op[i] = gp[i] * dp[i]; i += 1 }
        }
        return dx
    }
}

enum GELUMath {
    typealias V = SIMD16<Float>

    /// y[i] = x[i]·Φ(x[i]) and, when given, derivative[i] = Φ(x[i]) + x[i]·φ(x[i]) over `range`,
    /// 16 at a time (the tail padded). Plain loops: passing the element formula as a closure
    /// left it, and the e^x inside, as out-of-line calls per 16 values.
    @inline(__always)
    static func values(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, derivative d: UnsafeMutablePointer<Float>?,
                       _ range: Range<Int>) {
        var i = range.lowerBound
        if let d {
            while i + 16 <= range.upperBound {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
                let (cdf, pdf) = cdfPdf(v)
                UnsafeMutableRawPointer(y + i).storeBytes(of: v * cdf, as: V.self)
                UnsafeMutableRawPointer(d + i).storeBytes(of: cdf + v * pdf, as: V.self)
                i += 16
            }
        } else {
            while i + 16 <= range.upperBound {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
                UnsafeMutableRawPointer(y + i).storeBytes(of: v * cdfPdf(v).0, as: V.self)
                i += 16
            }
        }
        let rest = range.upperBound - i
        guard rest > 0 else { return }
        var v = V()
        for j in 0..<rest { v[j] = x[i + j] }
        let (cdf, pdf) = cdfPdf(v)
        let a = v * cdf, b = cdf + v * pdf
        for j in 0..<rest { y[i + j] = a[j]; d?[i + j] = b[j] }
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
