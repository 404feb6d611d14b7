import Foundation

/// "Nice" axis ticks (1, 2, 5 × 10ᵏ steps) and compact number labels.
enum Ticks {
    static func nice(_ lo: Double, _ hi: Double, count: Int) -> [Double] {
        guard hi > lo, count > 0, lo.isFinite, hi.isFinite else { return [lo] }
        let raw = (hi - lo) / Double(count)
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var out: [Double] = []
        var v = ceil(lo / step) * step
        while v <= hi + step * 1e-9 { out.append(abs(v) < step * 1e-9 ? 0 : v); v += step }
        return out
    }

    /// At most `width` characters: 0.0123 → "0.012", 12345 → "12.3k", 3e-5 → "3e-05".
    static func label(_ v: Double, width: Int = 6) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        var s: String
        if a >= 1e4 && a < 1e9 { s = String(format: a >= 1e6 ? "%.3gM" : "%.3gk", a >= 1e6 ? v / 1e6 : v / 1e3) }
        else if a >= 0.01 && a < 1e4 { s = String(format: "%.4g", v) }
        else { s = String(format: "%.1e", v) }
        if s.count > width { s = String(format: "%.0e", v) }
        return s
    }
}
