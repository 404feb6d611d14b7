import Foundation
import Yams

extension ConfigFile {
    /// One value a file sets: its property path and its JSON.
    struct Entry {
        let path: [String]
        let value: ConfigJSON
    }

    /// Walks a file's mappings against the struct's fields: every key must name a field (or
    /// an alias), every value must have the field's type, and no field may be set twice.
    struct Reader {
        let path: String
        let aliases: [String: String]
        private(set) var entries: [Entry] = []
        /// The line of each key set, by property path ("lr", "sparse.threshold").
        private(set) var lines: [String: Int] = [:]
        /// Each key set as the file spells it ("sparse.threshold" → "sparse.Threshold").
        private(set) var spelled: [String: String] = [:]

        init(path: String, aliases: [String: String]) {
            self.path = path
            self.aliases = Dictionary(aliases.map { (ConfigKeyName.normalized($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
        }

        func error(_ line: Int?, _ key: String, _ problem: String) -> ConfigError {
            ConfigError("\(path)\(line.map { ":\($0)" } ?? ""): \(key): \(problem)")
        }

        /// The field an alias names, with its property path.
        func alias(_ normalized: String, in fields: [ConfigField]) -> ([String], ConfigField)? {
            guard let target = aliases[normalized] else { return nil }
            var level = fields, names: [String] = [], found: ConfigField?
            for part in target.split(separator: ".").map(String.init) {
                guard let f = level.first(where: { $0.name == part }) else { preconditionFailure("config alias \(target): no field \(part)") }
                names.append(part); found = f
                if case .mapping(let sub) = f.kind { level = sub } else { level = [] }
            }
            return found.map { (names, $0) }
        }

        mutating func read(_ mapping: Node.Mapping, fields: [ConfigField], prefix: [String], keyPrefix: String) throws {
            var byName: [String: ConfigField] = [:]
            for f in fields { byName[ConfigKeyName.normalized(f.name)] = f }
            for (k, v) in mapping {
                guard case .scalar(let ks) = k else {
                    throw error(k.mark?.line, keyPrefix.isEmpty ? "key" : String(keyPrefix.dropLast()), "a key must be a name, got \(ConfigFile.describe(k))")
                }
                let written = keyPrefix + ks.string, line = ks.mark?.line
                let n = ConfigKeyName.normalized(ks.string)
                let target: [String], field: ConfigField
                if let f = byName[n] {
                    target = prefix + [f.name]; field = f
                } else if prefix.isEmpty, let (p, f) = alias(n, in: fields) {
                    target = p; field = f
                } else {
                    throw error(line, written, "unknown key (keys: \(fields.map { ConfigKeyName.kebab($0.name) }.joined(separator: ", ")))")
                }
                let key = target.joined(separator: ".")
                if let first = lines[key] {
                    let as_ = spelled[key].map { $0 == written ? "" : " as \($0)" } ?? ""
                    throw error(line, written, "duplicate key (first on line \(first)\(as_))")
                }
                lines[key] = line; spelled[key] = written
                if case .mapping(let sub) = field.kind, case .mapping(let inner) = v {
                    try read(inner, fields: sub, prefix: target, keyPrefix: written + ".")
                } else {
                    entries.append(Entry(path: target, value: try convert(v, kind: field.kind, optional: field.optional, key: written, line: line)))
                }
            }
        }

        func convert(_ node: Node, kind: ConfigValueKind, optional: Bool, key: String, line: Int?) throws -> ConfigJSON {
            let line = node.mark?.line ?? line
            switch node {
            case .scalar(let s):
                if s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string) {
                    if optional { return .null }
                    throw error(line, key, "expected \(kind.expected), got nothing")
                }
                return try scalar(s.string, kind: kind, key: key, line: line)
            case .sequence(let seq):
                guard case .list(let k) = kind else { throw error(line, key, "expected \(kind.expected), got a list") }
                return .list(try seq.enumerated().map { i, e in
                    let at = e.mark?.line ?? line
                    if case .mapping(let m) = e, case .mapping(let sub) = k { return try object(m, fields: sub, key: "\(key)[\(i)]", line: at) }
                    guard case .scalar(let s) = e else { throw error(at, "\(key)[\(i)]", "expected \(k.expected), got \(ConfigFile.describe(e))") }
                    return try scalar(s.string, kind: k, key: "\(key)[\(i)]", line: at)
                })
            case .mapping(let m):
                if case .mapping(let sub) = kind { return try object(m, fields: sub, key: key, line: line) }
                throw error(line, key, "expected \(kind.expected), got a mapping")
            case .alias:
                throw error(line, key, "expected \(kind.expected), got an alias (aliases are not read in config files)")
            }
        }

        /// A whole mapping inside a list (e.g. one row of `cnn.rows`): every key known, none
        /// twice, every required key present.
        func object(_ m: Node.Mapping, fields: [ConfigField], key: String, line: Int?) throws -> ConfigJSON {
            var out: [(String, ConfigJSON)] = []
            var seen: [String: Int] = [:]
            for (k, v) in m {
                let at = k.mark?.line ?? line
                guard case .scalar(let ks) = k else { throw error(at, key, "keys must be plain words") }
                let n = ConfigKeyName.normalized(ks.string)
                guard let f = fields.first(where: { ConfigKeyName.normalized($0.name) == n }) else {
                    throw error(at, "\(key).\(ks.string)", "unknown key (keys: \(fields.map { ConfigKeyName.kebab($0.name) }.joined(separator: ", ")))")
                }
                if let first = seen[f.name] { throw error(at, "\(key).\(ks.string)", "duplicate key (first on line \(first))") }
                seen[f.name] = at ?? 0
                out.append((f.name, try convert(v, kind: f.kind, optional: f.optional, key: "\(key).\(ks.string)", line: at)))
            }
            if let missing = fields.first(where: { !$0.optional && seen[$0.name] == nil }) {
                throw error(line, key, "missing key \(ConfigKeyName.kebab(missing.name))")
            }
            return .object(out)
        }

        func scalar(_ text: String, kind: ConfigValueKind, key: String, line: Int?) throws -> ConfigJSON {
            let t = text.trimmingCharacters(in: .whitespaces)
            let got = "\"\(text.count > 40 ? String(text.prefix(40)) + "…" : text)\""
            func bad() -> ConfigError { error(line, key, "expected \(kind.expected), got \(got)") }
            switch kind {
            case .bool:
                switch t.lowercased() {
                case "true", "yes", "on": return .literal("true")
                case "false", "no", "off": return .literal("false")
                default: throw bad()
                }
            case .integer:
                guard let v = Int(t) else { throw bad() }
                return .literal(String(v))
            case .unsigned:
                guard let v = UInt64(t) else { throw bad() }
                return .literal(String(v))
            case .float, .double:
                guard let v = Double(t), v.isFinite else { throw bad() }
                if case .float = kind, abs(v) > Double(Float.greatestFiniteMagnitude) { throw error(line, key, "\(got) is too large for this value") }
                return .literal(ConfigJSON.isJSONNumber(t) ? t : "\(v)")
            case .text:
                return .text(text)
            case .choice(let c):
                if c.contains(t) { return .text(t) }
                if c.contains(t.lowercased()) { return .text(t.lowercased()) }
                throw error(line, key, "must be one of \(c.joined(separator: ", ")), got \(got)")
            case .list(let k):
                // comma-separated, as the flags take it ("4,4"); "" is the empty list
                if t.isEmpty { return .list([]) }
                return .list(try t.split(separator: ",", omittingEmptySubsequences: false).map {
                    try scalar($0.trimmingCharacters(in: .whitespaces), kind: k, key: key, line: line)
                })
            case .mapping:
                throw bad()
            }
        }

        /// A value the types let through but the struct did not decode (should not happen).
        func decodingError(_ e: DecodingError) -> ConfigError {
            let c: DecodingError.Context
            switch e {
            case .typeMismatch(_, let x), .valueNotFound(_, let x), .keyNotFound(_, let x), .dataCorrupted(let x): c = x
            @unknown default: return ConfigError("\(path): \(e)")
            }
            let key = c.codingPath.filter { $0.intValue == nil }.map(\.stringValue).joined(separator: ".")
            if key.isEmpty { return ConfigError("\(path): not a valid config (\(c.debugDescription))") }
            return error(lines[key], spelled[key] ?? key, "not a valid value (\(c.debugDescription))")
        }

        /// Property paths by normalized top-level key name and alias (for `locate`).
        func knownPaths(_ fields: [ConfigField]) -> [String: String] {
            var out: [String: String] = [:]
            for f in fields { out[ConfigKeyName.normalized(f.name)] = f.name }
            for (a, p) in aliases { out[a] = p }
            return out
        }
    }
}
