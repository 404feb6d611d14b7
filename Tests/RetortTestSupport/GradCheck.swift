import XCTest
import RetortCore

/// Finite-difference gradient checker for `Layer`s.
///
/// L = Σ r ⊙ y for a seeded random r (accumulated in Double). The analytic gradients are
/// backward(r) for the input and the accumulated `Parameter.grad`s; the numeric ones are
/// central differences (L(v+ε) − L(v−ε)) / 2ε for every element of the input and of each
/// parameter, or a seeded random sample of `maxSamples` elements for bigger tensors.
/// Error per element: |a − n| / max(|a|, |n|, floor).
///
/// It also checks that backward *accumulates*: a second forward/backward without zeroing
/// must leave exactly twice the first gradients (up to rounding).
public struct GradCheck {
    public struct Entry {
        public let name: String
        public let checked: Int
        public let maxError: Double
        public let worstIndex: Int
        public let analytic: Double
        public let numeric: Double
    }
    public var entries: [Entry] = []
    /// Largest relative deviation of the twice-accumulated grads from 2× the first.
    public var accumulationError: Double = 0

    public var maxError: Double { entries.map(\.maxError).max() ?? 0 }
    public func passed(tolerance: Double) -> Bool { maxError <= tolerance && accumulationError <= 1e-4 }

    /// Runs the check without asserting.
    /// - beforeForward: called before every forward (e.g. to replay a dropout mask).
    public static func run(_ layer: Layer, input x: Tensor, training: Bool = true, eps: Float = 1e-2,
                    floor: Double = 1e-2, maxSamples: Int = 64, seed: UInt64 = 12345,
                    checkInput: Bool = true, beforeForward: (() -> Void)? = nil) -> GradCheck {
        var rng = RNG(seed: seed)
        let params = layer.parameters
        func loss(_ r: Tensor) -> Double {
            beforeForward?()
            let y = layer.forward(x, training: training)
            precondition(y.count == r.count, "output size changed between passes")
            var s = 0.0
            for i in 0..<y.count { s += Double(r[i]) * Double(y[i]) }
            return s
        }

        // Analytic gradients.
        for p in params { p.grad.zero() }
        beforeForward?()
        let y = layer.forward(x, training: training)
        let r = Tensor(shape: y.shape)
        r.fillNormal(std: 1, rng: &rng)
        let dx = layer.backward(r).copy()
        let grads = params.map { $0.grad.copy() }

        // Accumulation: a second pass must add the same gradients again.
        var result = GradCheck()
        beforeForward?()
        _ = layer.forward(x, training: training)
        _ = layer.backward(r)
        for (p, g) in zip(params, grads) {
            let scale = max(1e-6, (0..<g.count).map { Double(abs(g[$0])) }.max() ?? 0)
            for i in 0..<g.count {
                let e = abs(Double(p.grad[i]) - 2 * Double(g[i])) / (2 * scale)
                result.accumulationError = max(result.accumulationError, e)
            }
        }

        // Numeric gradients.
        func check(_ name: String, _ t: Tensor, _ analytic: Tensor) {
            var idx = Array(0..<t.count)
            if idx.count > maxSamples { rng.shuffle(&idx); idx = Array(idx.prefix(maxSamples)) }
            var worst = (err: -1.0, i: 0, a: 0.0, n: 0.0)
            for i in idx {
                let v = t[i]
                t[i] = v + eps
                let lp = loss(r)
                t[i] = v - eps
                let lm = loss(r)
                t[i] = v
                let n = (lp - lm) / (2 * Double(eps))
                let a = Double(analytic[i])
                let err = abs(a - n) / max(abs(a), abs(n), floor)
                if err > worst.err { worst = (err, i, a, n) }
            }
            result.entries.append(Entry(name: name, checked: idx.count, maxError: max(0, worst.err),
                                        worstIndex: worst.i, analytic: worst.a, numeric: worst.n))
        }
        if checkInput { check("input", x, dx) }
        for (p, g) in zip(params, grads) { check(p.name, p.value, g) }
        return result
    }

    /// Runs the check and fails the calling test if any error exceeds `tolerance`.
    @discardableResult
    public static func assert(_ layer: Layer, input: Tensor, training: Bool = true, eps: Float = 1e-2,
                       tolerance: Double = 1e-2, floor: Double = 1e-2, maxSamples: Int = 64,
                       seed: UInt64 = 12345, checkInput: Bool = true, beforeForward: (() -> Void)? = nil,
                       file: StaticString = #filePath, line: UInt = #line) -> GradCheck {
        let result = run(layer, input: input, training: training, eps: eps, floor: floor, maxSamples: maxSamples,
                         seed: seed, checkInput: checkInput, beforeForward: beforeForward)
        XCTAssertFalse(result.entries.isEmpty, "nothing was checked", file: file, line: line)
        for e in result.entries {
            XCTAssertLessThanOrEqual(e.maxError, tolerance,
                                     "\(e.name): worst element \(e.worstIndex) analytic \(e.analytic) vs numeric \(e.numeric) (\(e.checked) checked)",
                                     file: file, line: line)
        }
        XCTAssertLessThanOrEqual(result.accumulationError, 1e-4, "backward does not accumulate parameter gradients",
                                 file: file, line: line)
        return result
    }
}

// MARK: shared test helpers (RetortCoreTests, AttentionTests)

public func randomTensor(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
    var rng = RNG(seed: seed)
    let t = Tensor(shape: shape)
    t.fillNormal(std: std, rng: &rng)
    return t
}

public func maxAbsDiff(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.count == b.count, "maxAbsDiff: \(a.shape) vs \(b.shape)")
    var m: Float = 0
    for i in 0..<a.count { m = max(m, abs(a[i] - b[i])) }
    return m
}

public func maxAbs(_ a: Tensor) -> Float {
    var m: Float = 0
    for i in 0..<a.count { m = max(m, abs(a[i])) }
    return m
}

/// max|a − b| / max|b|: the relative error the parity tests bound.
public func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.count == b.count, "relativeError: \(a.shape) vs \(b.shape)")
    var diff = 0.0, scale = 0.0
    for i in 0..<a.count {
        diff = max(diff, Double(abs(a[i] - b[i])))
        scale = max(scale, Double(abs(b[i])))
    }
    return diff / max(scale, 1e-30)
}
