/// Cheap whole-tensor checks used by the divergence guard (after every step) and the
/// checkpoint writer: SIMD passes with four independent accumulators.
public extension Tensor {
    /// True when no element is NaN or ±Inf (x·0 is 0 for finite x and NaN otherwise).
    var isAllFinite: Bool {
        let p = UnsafePointer(data), n = count
        typealias V = SIMD16<Float>
        var a0 = V.zero, a1 = V.zero, a2 = V.zero, a3 = V.zero
        var i = 0
        while i + 64 <= n {
            a0 = a0 + V.load(p + i) * V.zero; a1 = a1 + V.load(p + i + 16) * V.zero
            a2 = a2 + V.load(p + i + 32) * V.zero; a3 = a3 + V.load(p + i + 48) * V.zero
            i += 64
        }
        var tail: Float = 0
        while i < n { tail += p[i] * 0; i += 1 }
        return ((a0 + a1) + (a2 + a3)).laneSum() + tail == 0
    }

    /// Σx², accumulated in Double lanes (NaN when an element is NaN, Inf when one is ±Inf;
    /// finite otherwise — squares of Float values cannot overflow a Double sum).
    var sumOfSquares: Double {
        let p = UnsafePointer(data), n = count
        typealias D = SIMD8<Double>
        @inline(__always) func load(_ k: Int) -> D { D(UnsafeRawPointer(p + k).loadUnaligned(as: SIMD8<Float>.self)) }
        var a0 = D.zero, a1 = D.zero, a2 = D.zero, a3 = D.zero
        var i = 0
        while i + 32 <= n {
            let v0 = load(i), v1 = load(i + 8), v2 = load(i + 16), v3 = load(i + 24)
            a0 = a0.addingProduct(v0, v0); a1 = a1.addingProduct(v1, v1)
            a2 = a2.addingProduct(v2, v2); a3 = a3.addingProduct(v3, v3)
            i += 32
        }
        var s = ((a0 + a1) + (a2 + a3)).sum()
        while i < n { let v = Double(p[i]); s += v * v; i += 1 }
        return s
    }
}
