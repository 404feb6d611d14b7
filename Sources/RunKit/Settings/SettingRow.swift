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
    /// ±0.05 on linear scales, the next word for choices.
    public func stepped(_ dir: Int) -> String? {
        switch kind {
        case .choice(let words):
            guard let i = words.firstIndex(of: value), !words.isEmpty else { return words.first }
            return words[(i + dir + words.count) % words.count]
        case .number(_, _, _, _, let integer, let log):
            guard let v = numericValue else { return nil }
            if integer { return String(Int(dir > 0 ? v * 2 : (v / 2).rounded(.down))) }
            var n = log ? (v == 0 ? (dir > 0 ? 1e-4 : 0) : v * pow(10, Double(dir) / 4)) : v + Double(dir) * 0.05
            n = Double(String(format: "%.3g", n)) ?? n
            return String(format: "%g", n)
        }
    }
}
