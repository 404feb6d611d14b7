import RetortData

/// The type of one key's value in a config file.
indirect enum ConfigValueKind {
    case bool, integer, unsigned, float, double, text
    case choice([String])
    case list(ConfigValueKind)
    case mapping([ConfigField])

    /// What a value of this kind looks like, for "expected …" messages.
    var expected: String {
        switch self {
        case .bool: return "true or false"
        case .integer: return "a whole number"
        case .unsigned: return "a whole number ≥ 0"
        case .float, .double: return "a number"
        case .text: return "a text value"
        case .choice(let c): return "one of " + c.joined(separator: ", ")
        case .list(let k): return "a list of " + k.plural
        case .mapping(let f): return "a mapping of keys (" + f.map { ConfigKeyName.kebab($0.name) }.joined(separator: ", ") + ")"
        }
    }

    private var plural: String {
        switch self {
        case .integer, .unsigned: return "whole numbers"
        case .float, .double: return "numbers"
        case .bool: return "true/false values"
        default: return "values (\(expected))"
        }
    }
}

/// One key of a config struct: its property name, value type and whether it may be null.
struct ConfigField {
    let name: String
    let kind: ConfigValueKind
    let optional: Bool
}

/// The keys and value types of a config struct, read off a template value with `Mirror`
/// (property names are the synthesized coding keys).
enum ConfigSchema {
    static func fields(of value: Any) -> [ConfigField] {
        Mirror(reflecting: value).children.compactMap { child in
            guard let label = child.label else { return nil }
            let (v, optional) = unwrap(child.value)
            guard let v else { preconditionFailure("config template: \(label) is nil (fileTemplate must set every optional)") }
            return ConfigField(name: label, kind: kind(of: v, label), optional: optional)
        }
    }

    /// The value inside an optional (nil when it is nil) and whether it was one.
    static func unwrap(_ v: Any) -> (Any?, Bool) {
        let m = Mirror(reflecting: v)
        guard m.displayStyle == .optional else { return (v, false) }
        return (m.children.first?.value, true)
    }

    static func kind(of v: Any, _ label: String) -> ConfigValueKind {
        switch v {
        case is Bool: return .bool
        case is Int: return .integer
        case is UInt64: return .unsigned
        case is Float: return .float
        case is Double: return .double
        case is String, is DataSource: return .text   // a data source is written as its name or path
        case let e as any CaseIterable: return .choice(caseNames(e))
        default: break
        }
        let m = Mirror(reflecting: v)
        switch m.displayStyle {
        case .collection:
            guard let first = m.children.first else { preconditionFailure("config template: \(label) is an empty list (fileTemplate must fill every list)") }
            return .list(kind(of: first.value, label))
        case .struct:
            return .mapping(fields(of: v))
        default:
            preconditionFailure("config template: \(label) has a type a config file cannot hold (\(type(of: v)))")
        }
    }

    static func caseNames(_ e: any CaseIterable) -> [String] { names(e) }

    private static func names<T: CaseIterable>(_: T) -> [String] {
        T.allCases.map { c in rawText(c) ?? "\(c)" }
    }

    /// The raw value of an enum case with a `String` raw value.
    static func rawText(_ v: Any) -> String? {
        guard let r = v as? any RawRepresentable else { return nil }
        return r.rawValue as? String
    }
}

/// Key spellings: config.json's camelCase, the flags' kebab-case and snake_case name the same key.
enum ConfigKeyName {
    /// The form keys are matched in: lower case without "-" and "_".
    static func normalized(_ key: String) -> String {
        String(key.lowercased().filter { $0 != "-" && $0 != "_" })
    }

    /// camelCase → kebab-case ("minLR" → "min-lr", "shiftAugment" → "shift-augment").
    static func kebab(_ name: String) -> String {
        let chars = Array(name)
        var out = ""
        for (i, ch) in chars.enumerated() {
            if ch.isUppercase && i > 0 {
                let prev = chars[i - 1], next = i + 1 < chars.count ? chars[i + 1] : nil
                if prev.isLowercase || prev.isNumber || (prev.isUppercase && next?.isLowercase == true) { out.append("-") }
            }
            out.append(contentsOf: ch.lowercased())
        }
        return out
    }
}
