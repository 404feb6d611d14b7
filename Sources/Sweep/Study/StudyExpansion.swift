import Foundation

/// Conditions of a study: the grid of its axes (first axis slowest), or a seeded random
/// sample of that grid.
public enum StudyExpansion {
    public static func conditions(axes: [Study.Axis], sampling: Study.Sampling) -> [[(String, String)]] {
        var grid: [[(String, String)]] = [[]]
        for a in axes {
            grid = grid.flatMap { c in a.values.map { c + [(a.key, $0)] } }
        }
        guard case .random(let count, let seed) = sampling, count < grid.count else { return grid }
        // a partial Fisher–Yates shuffle with SplitMix64, then back in grid order
        var rng = SplitMix64(seed: seed)
        var order = Array(grid.indices)
        for i in 0..<count {
            let j = i + Int(rng.next() % UInt64(order.count - i))
            order.swapAt(i, j)
        }
        return order.prefix(count).sorted().map { grid[$0] }
    }

    /// Values of a range `{from, to, step}`: from, from+step, … up to `to` (inclusive within
    /// rounding). Whole numbers stay whole when all three are.
    public static func range(from: Double, to: Double, step: Double, integral: Bool) -> [String] {
        var out: [String] = []
        let n = Int(((to - from) / step + 1e-9).rounded(.down))
        for i in 0...max(0, n) { out.append(format(from + Double(i) * step, integral: integral)) }
        return out
    }

    /// `count` values from `from` to `to`, evenly spaced (or geometrically with `log`).
    public static func spaced(from: Double, to: Double, count: Int, log logScale: Bool, integral: Bool) -> [String] {
        if count == 1 { return [format(from, integral: integral)] }
        return (0..<count).map { i in
            let t = Double(i) / Double(count - 1)
            let v = logScale ? exp(log(from) + t * (log(to) - log(from))) : from + t * (to - from)
            return format(i == count - 1 ? to : v, integral: integral)
        }
    }

    /// A value as the child's option reads it: whole numbers without a point, others with at
    /// most 6 significant digits (0.0316228).
    static func format(_ v: Double, integral: Bool) -> String {
        if integral { return String(Int(v.rounded())) }
        let s = String(format: "%.6g", v)
        return s
    }
}

/// SplitMix64: a tiny seeded generator whose sequence is fixed (random sampling must pick
/// the same conditions on every machine and Swift version).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
