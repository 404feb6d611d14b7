import Foundation

/// Axis ticks at "nice" numbers (1, 2, 2.5, 5 × 10ⁿ; Heckbert, Graphics Gems 1990).
public enum Ticks {
    /// The nice number nearest `x` (rounding) or at least `x` (not rounding).
    public static func nice(_ x: Double, round: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let e = floor(log10(x)), f = x / pow(10, e)
        let n: Double
        if round { n = f < 1.5 ? 1 : f < 2.25 ? 2 : f < 3.5 ? 2.5 : f < 7.5 ? 5 : 10 }
        else { n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10 }
        return n * pow(10, e)
    }

    /// About `count` ticks covering lo…hi: the widened range (to whole steps) and the ticks.
    public static func linear(_ lo: Double, _ hi: Double, count: Int = 5) -> (range: ClosedRange<Double>, ticks: [Double], step: Double) {
        var lo = lo, hi = hi
        if !lo.isFinite || !hi.isFinite { lo = 0; hi = 1 }
        if lo > hi { swap(&lo, &hi) }
        if hi - lo < 1e-12 * max(1, abs(lo)) { let d = lo == 0 ? 1 : abs(lo) * 0.1; lo -= d; hi += d }
        let step = nice(nice(hi - lo, round: false) / Double(max(1, count - 1)), round: true)
        let a = floor(lo / step + 1e-9) * step, b = ceil(hi / step - 1e-9) * step
        var ticks: [Double] = []
        var t = a
        while t <= b + step * 1e-6 { ticks.append(abs(t) < step * 1e-9 ? 0 : t); t = a + step * Double(ticks.count) }
        return (a...b, ticks, step)
    }

    /// A tick label: as many decimals as the step needs; large or tiny values in exponent form.
    public static func label(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        let m = max(abs(v), step)
        if m >= 1e6 || m < 1e-3 {
            let e = Int(floor(log10(m)))
            let mant = v / pow(10, Double(e))
            let d = max(0, min(3, -Int(floor(log10(step / pow(10, Double(e))) + 1e-9))))
            return String(format: "%.\(d)fe%d", mant, e)
        }
        // 2.5 × 10ⁿ steps need one decimal more than 1, 2 or 5 × 10ⁿ
        let e = Int(floor(log10(step) + 1e-9))
        let fractional = (step / pow(10, Double(e))).truncatingRemainder(dividingBy: 1) > 1e-6
        let dd = max(0, min(6, -e + (fractional ? 1 : 0)))
        return String(format: "%.\(dd)f", v)
    }
}
