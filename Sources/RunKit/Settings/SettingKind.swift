/// How a live setting is edited: a number in a range or one word of a list.
public enum SettingKind: Sendable, Equatable {
    /// A number in [min, max]: an end is open when its `…Inclusive` is false, absent when
    /// nil; whole when `integer`. Stepped ×10^¼ on a log scale (×2 for integers), ±0.05 on
    /// a linear one (finer near an end of its range: see `SettingRow.stepped`).
    case number(min: Double? = nil, max: Double? = nil, minInclusive: Bool = true, maxInclusive: Bool = true,
                integer: Bool = false, logScale: Bool)
    /// One of these words.
    case choice([String])

    /// The allowed values as text: "none, sym, asym", "(0, 10]", "1…512", "[0, ∞)".
    public var allowed: String {
        switch self {
        case .choice(let words): return words.joined(separator: ", ")
        case .number(let lo, let hi, let minInc, let maxInc, let integer, _):
            if integer, let lo, let hi, minInc, maxInc { return "\(Int(lo))…\(Int(hi))" }
            let open = lo != nil && minInc ? "[" : "("
            let close = hi != nil && maxInc ? "]" : ")"
            return open + (lo.map(Self.short) ?? "-∞") + ", " + (hi.map(Self.short) ?? "∞") + close
        }
    }

    /// Whether the number `v` is in range (true for a choice).
    public func admits(_ v: Double) -> Bool {
        guard case .number(let lo, let hi, let minInc, let maxInc, _, _) = self else { return true }
        let aboveMin = lo.map { minInc ? v >= $0 : v > $0 } ?? true
        let belowMax = hi.map { maxInc ? v <= $0 : v < $0 } ?? true
        return v.isFinite && aboveMin && belowMax
    }

    /// Parses and checks `text` for the setting `name`. Numbers may be written "3e-4",
    /// "0.0003" or "1/3000"; words match case-insensitively. Throws a one-line reason
    /// (`allowed` is what the message says is allowed).
    public func parse(_ text: String, name: String, allowed: String) throws(SettingError) -> SettingValue {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch self {
        case .choice(let words):
            guard let w = words.first(where: { $0.lowercased() == t.lowercased() }) else {
                throw SettingError("\(name): must be one of \(allowed), got '\(text)'")
            }
            return .word(w)
        case .number(_, _, _, _, let integer, _):
            guard let v = SettingValue.parseNumber(t), !v.isNaN, v.isFinite || !t.lowercased().contains("inf") else {
                throw SettingError("\(name): '\(text)' is not a number")
            }
            // a numeral too large for a Double ("1e999") reads as infinity: say so
            guard v.isFinite else {
                throw SettingError("\(name): \(text) is out of range (the largest number is \(Double.greatestFiniteMagnitude); allowed \(allowed))")
            }
            if integer && v != v.rounded() { throw SettingError("\(name): must be a whole number, got \(text)") }
            guard admits(v) else { throw SettingError("\(name): must be in \(allowed), got \(text)") }
            return .number(v)
        }
    }

    static func short(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String(v) }
}
