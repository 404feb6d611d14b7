import Foundation
import RetortCore

/// A JSON value built from a config struct and a config file's values, rendered as text for
/// `JSONDecoder` (numbers keep the file's digits, so a `config.json` decodes exactly).
indirect enum ConfigJSON {
    case null
    case literal(String)
    case text(String)
    case list([ConfigJSON])
    case object([(String, ConfigJSON)])

    var rendered: String {
        switch self {
        case .null: return "null"
        case .literal(let s): return s
        case .text(let s): return Self.quoted(s)
        case .list(let l): return "[" + l.map(\.rendered).joined(separator: ",") + "]"
        case .object(let o): return "{" + o.map { Self.quoted($0.0) + ":" + $0.1.rendered }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ s: String) -> String { SafeTensors.jsonString(s) }

    /// The value of a config struct (or one of its properties) of the given kind; nil for nil.
    static func from(_ value: Any, kind: ConfigValueKind) -> ConfigJSON? {
        guard let v = ConfigSchema.unwrap(value).0 else { return nil }
        switch kind {
        case .bool: return .literal((v as? Bool) == true ? "true" : "false")
        case .integer, .unsigned, .float, .double: return .literal("\(v)")
        case .text: return .text(v as? String ?? "\(v)")
        case .choice: return .text(ConfigSchema.rawText(v) ?? "\(v)")
        case .list(let k): return .list(Mirror(reflecting: v).children.compactMap { from($0.value, kind: k) })
        case .mapping(let fields):
            let values = Dictionary(Mirror(reflecting: v).children.compactMap { c in c.label.map { ($0, c.value) } }, uniquingKeysWith: { a, _ in a })
            return .object(fields.compactMap { f in values[f.name].flatMap { from($0, kind: f.kind) }.map { (f.name, $0) } })
        }
    }

    /// Sets the value at `path` (property names), creating objects on the way.
    mutating func set(_ path: ArraySlice<String>, to value: ConfigJSON) {
        guard let head = path.first else { self = value; return }
        var pairs: [(String, ConfigJSON)] = []
        if case .object(let o) = self { pairs = o }
        if let i = pairs.firstIndex(where: { $0.0 == head }) {
            pairs[i].1.set(path.dropFirst(), to: value)
        } else {
            var fresh = ConfigJSON.null
            fresh.set(path.dropFirst(), to: value)
            pairs.append((head, fresh))
        }
        self = .object(pairs)
    }

    /// The property names set in this object.
    var keys: Set<String> {
        if case .object(let o) = self { return Set(o.map(\.0)) }
        return []
    }

    subscript(key: String) -> ConfigJSON? {
        if case .object(let o) = self { return o.first { $0.0 == key }?.1 }
        return nil
    }

    /// Whether `s` is a JSON number as it stands.
    static func isJSONNumber(_ s: String) -> Bool {
        var u = Substring(s).utf8[...]
        func digits() -> Int { let n = u.prefix { $0 >= 48 && $0 <= 57 }.count; u = u.dropFirst(n); return n }
        if u.first == UInt8(ascii: "-") { u = u.dropFirst() }
        guard let f = u.first, f >= 48 && f <= 57 else { return false }
        if f == 48 { u = u.dropFirst() } else { _ = digits() }
        if u.first == UInt8(ascii: ".") { u = u.dropFirst(); guard digits() > 0 else { return false } }
        if u.first == UInt8(ascii: "e") || u.first == UInt8(ascii: "E") {
            u = u.dropFirst()
            if u.first == UInt8(ascii: "+") || u.first == UInt8(ascii: "-") { u = u.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return u.isEmpty
    }
}
