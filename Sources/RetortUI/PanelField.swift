import Workbench

/// One editable setting in a tab's live panel: a number (linear or log-scale, maybe
/// integer) or one of a list of words. Each tab maps its engine's settings to these.
public struct PanelField: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case number(logScale: Bool, integer: Bool)
        case choice([String])
    }
    public let name: String
    public let value: String
    public let numeric: Double?
    public let kind: Kind
    public let allowed: String
    public let help: String
    public init(name: String, value: String, numeric: Double?, kind: Kind, allowed: String, help: String) {
        self.name = name; self.value = value; self.numeric = numeric; self.kind = kind; self.allowed = allowed; self.help = help
    }

    /// A Distill, Attention or Accelerator setting.
    public init(_ f: SettingField) {
        let kind: Kind
        switch f.kind {
        case .choice(let w): kind = .choice(w)
        case .number(_, _, _, let integer, let log): kind = .number(logScale: log, integer: integer)
        }
        self.init(name: f.name, value: f.value, numeric: f.numericValue, kind: kind, allowed: f.allowed, help: f.help)
    }

    /// A training hyperparameter.
    public init(_ h: HyperField) {
        self.init(name: h.name, value: Screen.fmt(h.value), numeric: h.value, kind: .number(logScale: h.logScale, integer: h.integer),
                  allowed: h.range, help: h.help)
    }

    /// The value one step up (+1) or down (−1): ×10^¼ on log scales (×2 for integers),
    /// ±0.05 on linear scales, the next word for choices.
    public func stepped(_ dir: Int) -> String? {
        switch kind {
        case .choice(let words):
            guard let i = words.firstIndex(of: value), !words.isEmpty else { return words.first }
            return words[(i + dir + words.count) % words.count]
        case .number(let log, let integer):
            guard let v = numeric else { return nil }
            if integer { return String(Int(dir > 0 ? v * 2 : (v / 2).rounded(.down))) }
            var n = log ? (v == 0 ? (dir > 0 ? 1e-4 : 0) : v * pow(10, Double(dir) / 4)) : v + Double(dir) * 0.05
            n = Double(String(format: "%.3g", n)) ?? n
            return String(format: "%g", n)
        }
    }
}

import Foundation
