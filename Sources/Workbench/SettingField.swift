/// One live-editable setting of an engine as the UI shows it (the Distill, Attention and
/// Accelerator tabs' panels): a number in a range or a word from a list.
public struct SettingField: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// One of these words.
        case choice([String])
        /// A number in [min, max] ((min, max] when `minInclusive` is false; nil bounds are
        /// open), stepped ×10^¼ on a log scale (×2 for integers), ±0.05 on a linear one.
        case number(min: Double? = nil, max: Double? = nil, minInclusive: Bool = true, integer: Bool = false, logScale: Bool)
    }
    public let name: String
    /// The current value as text (e.g. "asym", "0.02").
    public let value: String
    /// The current value as a number (nil for choices).
    public let numericValue: Double?
    public let kind: Kind
    /// The allowed values as text, e.g. "none, sym, asym" or "(0, 20]".
    public let allowed: String
    public let help: String

    /// `numericValue` defaults to the value read as a number (numbers only), `allowed` to
    /// the words or the range of `kind`.
    public init(name: String, value: String, numericValue: Double? = nil, kind: Kind, allowed: String? = nil, help: String) {
        self.name = name; self.value = value; self.kind = kind; self.help = help
        if case .number = kind { self.numericValue = numericValue ?? Double(value) } else { self.numericValue = numericValue }
        self.allowed = allowed ?? Self.describe(kind)
    }

    static func describe(_ kind: Kind) -> String {
        switch kind {
        case .choice(let w): return w.joined(separator: ", ")
        case .number(let lo, let hi, let inc, let integer, _):
            if integer, let lo, let hi { return "\(Int(lo))…\(Int(hi))" }
            return (inc ? "[" : "(") + (lo.map(short) ?? "-∞") + ", " + (hi.map(short) ?? "∞") + (hi == nil ? ")" : "]")
        }
    }

    static func short(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String(v) }

    /// nil when `text` is allowed, else a one-line reason.
    public func check(_ text: String) -> String? {
        switch kind {
        case .choice(let w): return w.contains(text) ? nil : "\(name): must be one of \(w.joined(separator: ", ")), got '\(text)'"
        case .number(let lo, let hi, let inc, let integer, _):
            guard let v = Double(text), v.isFinite else { return "\(name): '\(text)' is not a number" }
            if integer && v != v.rounded() { return "\(name): must be a whole number, got \(text)" }
            let aboveMin = lo.map { inc ? v >= $0 : v > $0 } ?? true
            return aboveMin && hi.map({ v <= $0 }) ?? true ? nil : "\(name): must be in \(allowed), got \(text)"
        }
    }
}
