import Foundation

/// A live setting's value: a number or a word.
public enum SettingValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case word(String)

    public var number: Double? { if case .number(let v) = self { return v } else { return nil } }
    public var word: String? { if case .word(let w) = self { return w } else { return nil } }

    /// The value as the panels and logs show it: whole numbers without a fraction, others
    /// with up to six significant digits ("?" for NaN).
    public var description: String {
        switch self {
        case .word(let w): return w
        case .number(let v): return Self.format(v)
        }
    }

    public static func format(_ v: Double) -> String {
        if v.isNaN { return "?" }
        if v == v.rounded() && abs(v) <= 1e6 { return String(Int(v)) }
        return String(format: "%g", v)
    }

    /// Parses "3e-4", "0.0003" or "1/3000" (nil when it is none of these).
    public static func parseNumber(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let slash = t.firstIndex(of: "/") {
            guard let a = Double(t[..<slash]), let b = Double(t[t.index(after: slash)...]), b != 0 else { return nil }
            return a / b
        }
        return Double(t)
    }
}

/// Why a setting's name or value was refused: one line naming the setting and what is allowed.
public struct SettingError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
