import Foundation

/// Mean, sample standard deviation and the Student-t 95 % confidence interval of a sample.
public struct SampleSummary: Sendable, Equatable {
    public let n: Int
    public let mean: Double
    /// Sample standard deviation (n − 1); nil for one value.
    public let std: Double?
    /// mean ∓ t(0.975, n − 1) · std / √n; nil for one value.
    public let ci95: (low: Double, high: Double)?

    public init(_ values: [Double]) {
        n = values.count
        mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        if values.count >= 2 {
            let m = mean
            let s = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
            std = s
            let h = StudentT.quantile(0.975, df: values.count - 1) * s / Double(values.count).squareRoot()
            ci95 = (m - h, m + h)
        } else { std = nil; ci95 = nil }
    }

    public static func == (a: SampleSummary, b: SampleSummary) -> Bool {
        a.n == b.n && a.mean == b.mean && a.std == b.std && a.ci95?.low == b.ci95?.low && a.ci95?.high == b.ci95?.high
    }
}

/// Student's t distribution: the CDF through the regularised incomplete beta function
/// (continued fraction, Numerical Recipes §6.4) and its quantile by bisection.
public enum StudentT {
    /// P(T ≤ t) for `df` degrees of freedom.
    public static func cdf(_ t: Double, df: Int) -> Double {
        let v = Double(df)
        let x = v / (v + t * t)
        let tail = 0.5 * incompleteBeta(x, a: v / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The t with P(T ≤ t) = p (0 < p < 1).
    public static func quantile(_ p: Double, df: Int) -> Double {
        precondition(p > 0 && p < 1 && df >= 1)
        var lo = -1e4, hi = 1e4
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if cdf(mid, df: df) < p { lo = mid } else { hi = mid }
            if hi - lo < 1e-12 { break }
        }
        return (lo + hi) / 2
    }

    /// I_x(a, b).
    static func incompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let lnPowers: Double = a * log(x) + b * log(1 - x)
        let lnFront = lnBeta + lnPowers
        let front = exp(lnFront)
        if x < (a + 1) / (a + b + 2) { return front * continuedFraction(x, a: a, b: b) / a }
        return 1 - front * continuedFraction(1 - x, a: b, b: a) / b
    }

    static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-15 { break }
        }
        return h
    }
}

/// Which way a metric improves: lower for losses, times, cycles, energy and area; higher otherwise.
public enum MetricDirection {
    public static func lowerIsBetter(_ metric: String) -> Bool {
        let m = metric.lowercased()
        return ["loss", "cycles", "latency", "energy", "area", "seconds", "secs", "time", "error"].contains { m.contains($0) }
    }
}

/// The non-dominated set of points to minimise in every coordinate.
public enum Pareto {
    /// For each point, whether no other point is ≤ in every coordinate and < in one.
    public static func front(_ points: [[Double]]) -> [Bool] {
        points.map { p in
            !points.contains { q in
                zip(q, p).allSatisfy { $0 <= $1 } && zip(q, p).contains { $0 < $1 }
            }
        }
    }
}
