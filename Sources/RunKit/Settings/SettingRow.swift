import Foundation

/// One live setting as snapshots carry it and the UI shows and steps it: no engine types,
/// just the name, the value as text (and as a number), how it may change and why.
public struct SettingRow: Sendable, Equatable {
    public let name: String
    /// The current value as text (e.g. "asym", "0.02").
    public let value: String
    /// The current value as a number (nil for choices).
    public let numericValue: Double?
    public let kind: SettingKind
    /// The allowed values as text, e.g. "none, sym, asym" or "(0, 20]".
    public let allowed: String
    public let help: String

    /// `numericValue` defaults to the value read as a number (numbers only), `allowed` to
    /// the kind's words or range.
    public init(name: String, value: String, numericValue: Double? = nil, kind: SettingKind, allowed: String? = nil, help: String) {
        self.name = name; self.value = value; self.kind = kind; self.help = help
        if case .number = kind { self.numericValue = numericValue ?? Double(value) } else { self.numericValue = numericValue }
        self.allowed = allowed ?? kind.allowed
    }

    /// nil when `text` is allowed, else a one-line reason (the definition's own check).
    public func check(_ text: String) -> String? {
        do { _ = try kind.parse(text, name: name, allowed: allowed); return nil } catch { return error.description }
    }

    /// The value one step up (+1) or down (−1): ×10^¼ on log scales (×2 for integers),
    /// ±0.05 on linear scales, the next word for choices. A linear step that would leave
    /// the range (or land on an open end) moves closer to that end instead: the gap to it
    /// goes 0.05, 0.01, 0.005, 0.001, … (momentum in [0, 1): 0.9 → 0.95 → 0.99 → 0.995),
    /// and stepping away walks the same gaps back up to 0.05.
    public func stepped(_ dir: Int) -> String? {
        switch kind {
        case .choice(let words):
            guard let i = words.firstIndex(of: value), !words.isEmpty else { return words.first }
            return words[(i + dir + words.count) % words.count]
        case .number(_, _, _, _, let integer, let log):
            guard let v = numericValue else { return nil }
            if integer { return String(Int(dir > 0 ? v * 2 : (v / 2).rounded(.down))) }
            if !log, let n = nearBound(v, dir) { return String(format: "%g", n) }
            var n = log ? (v == 0 ? (dir > 0 ? 1e-4 : 0) : v * pow(10, Double(dir) / 4)) : v + Double(dir) * 0.05
            n = Double(String(format: "%.3g", n)) ?? n
            return String(format: "%g", n)
        }
    }

    /// Gaps to an end of a linear range that steps walk near it: 0.05, 0.01, 0.005, 0.001, …
    static let gaps: [Double] = (2...8).flatMap { k in [5 * pow(10, -Double(k)), pow(10, -Double(k))] }

    /// The linear step from `v` when it is near an end of the range (nil: the plain ±0.05).
    func nearBound(_ v: Double, _ dir: Int) -> Double? {
        guard case .number(let lo, let hi, let minInc, let maxInc, _, _) = kind else { return nil }
        let plain = v + Double(dir) * 0.05
        let eps = 1e-12
        // towards an end: the plain step leaves the range or lands on an open end → the next smaller gap
        if dir > 0, let hi, !kind.admits(plain) || (!maxInc && plain >= hi - eps) {
            if maxInc && plain > hi { return hi }
            return Self.gaps.first { $0 < hi - v - eps }.map { round13(hi - $0) }
        }
        if dir < 0, let lo, !kind.admits(plain) || (!minInc && plain <= lo + eps) {
            if minInc && plain < lo { return lo }
            return Self.gaps.first { $0 < v - lo - eps }.map { round13(lo + $0) }
        }
        // away from an end the value is closer to than 0.05: the next larger gap
        if dir < 0, let hi, hi - v < 0.05 - eps { return round13(hi - (Self.gaps.last { $0 > hi - v + eps } ?? 0.05)) }
        if dir > 0, let lo, v - lo < 0.05 - eps { return round13(lo + (Self.gaps.last { $0 > v - lo + eps } ?? 0.05)) }
        return nil
    }

    private func round13(_ x: Double) -> Double { Double(String(format: "%.12g", x)) ?? x }
}
