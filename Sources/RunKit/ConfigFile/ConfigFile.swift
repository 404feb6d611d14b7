import Foundation
import Yams

/// A config file read into a config struct: the value and the lines of the keys it set.
public struct ConfigFileContents<C: FileConfigurable> {
    public let config: C
    public let path: String
    /// The line of every key the file set, by property path ("lr", "sparse.threshold").
    public let lines: [String: Int]
    /// Property paths by normalized key name and alias, for `locate`.
    let paths: [String: String]

    /// Whether the file set the property at `path` ("threads", "sparse.bits").
    public func sets(_ path: String) -> Bool { lines[path] != nil }

    /// A message about a value (e.g. a range error of `validate()`, "lr: must be …") with the
    /// file and, when the file set that value, its line in front.
    public func locate(_ message: String) -> String {
        let field = message.prefix { $0 != ":" && $0 != " " }
        if let p = paths[ConfigKeyName.normalized(String(field))], let line = lines[p] { return "\(path):\(line): \(message)" }
        return "\(path): \(message)"
    }
}

/// Reads `--config FILE`: YAML, and so JSON (a run's `config.json`), into a `FileConfigurable`
/// struct. Every key is checked against the struct's keys (camelCase, kebab-case and
/// snake_case spell the same key) and every value against its type before decoding; keys
/// the file does not set keep the struct's defaults. Errors are one line naming the file,
/// the line and the key.
public enum ConfigFile {
    /// Larger files are refused before parsing.
    public static let maxBytes = 1 << 20

    public static func read<C: FileConfigurable>(_: C.Type, path: String) throws -> ConfigFileContents<C> {
        try parse(C.self, bytes: try bytes(path: path), path: path)
    }

    /// The bytes of the file at `path`, refused in one line when it is missing, not a regular
    /// file or larger than `maxBytes` (config and study files).
    public static func bytes(path: String) throws -> [UInt8] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw ConfigError("\(path): cannot read the config file (no such file)") }
        guard !isDir.boolValue else { throw ConfigError("\(path): is a folder (expected a YAML or JSON config file)") }
        let attrs = try? FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
        guard (attrs?[.type] as? FileAttributeType) == .typeRegular else { throw ConfigError("\(path): not a regular file (expected a YAML or JSON config file)") }
        if let size = (attrs?[.size] as? NSNumber)?.intValue, size > maxBytes {
            throw ConfigError("\(path): too large for a config file (\(size) bytes; at most \(maxBytes))")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("\(path): cannot read the config file") }
        return [UInt8](data)
    }

    /// Parses the bytes of a config file named `path` (in messages).
    public static func parse<C: FileConfigurable>(_: C.Type, bytes: [UInt8], path: String) throws -> ConfigFileContents<C> {
        let top = try document(bytes: bytes, path: path)
        var reader = Reader(path: path, aliases: C.fileAliases)
        let fields = ConfigSchema.fields(of: C.fileTemplate)
        try reader.read(top, fields: fields, prefix: [], keyPrefix: "")
        // the values the file sets, over the base (a preset the file names, else the defaults)
        var scalars: [String: String] = [:]
        for e in reader.entries where e.path.count == 1 { if case .text(let s) = e.value { scalars[e.path[0]] = s } }
        let base = C.fileBase(scalars)
        guard var json = ConfigJSON.from(base, kind: .mapping(fields)) else { preconditionFailure("config base encodes to nothing") }
        let ignored = C.fileIgnoredKeys
        for e in reader.entries where !ignored.contains(e.path[0]) { json.set(e.path[...], to: e.value) }
        try checkComplete(json, fields: fields, reader: reader, prefix: [])
        let config: C
        do { config = try JSONDecoder().decode(C.self, from: Data(json.rendered.utf8)) } catch let e as DecodingError {
            throw reader.decodingError(e)
        }
        return ConfigFileContents(config: config, path: path, lines: reader.lines, paths: reader.knownPaths(fields))
    }

    /// The top-level mapping of a YAML (or JSON) file's bytes, with the checks every config
    /// file gets: size, UTF-8, no NUL, no aliases, YAML errors and duplicate keys in one line.
    public static func document(bytes: [UInt8], path: String) throws -> Node.Mapping {
        guard bytes.count <= maxBytes else { throw ConfigError("\(path): too large for a config file (\(bytes.count) bytes; at most \(maxBytes))") }
        var b = bytes[...]
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { b = b.dropFirst(3) }
        guard let text = String(validating: b, as: UTF8.self) else { throw ConfigError("\(path): not UTF-8 text (expected a YAML or JSON config file)") }
        if text.contains("\0") { throw ConfigError("\(path): contains a NUL byte (expected a YAML or JSON config file)") }
        // an alias can stand for an exponentially large tree (and Yams hashes keys whole)
        if let line = aliasLine(text) { throw ConfigError("\(path):\(line): YAML aliases (*name) are not read in config files") }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw yamlError(error, text: text, path: path) }
        guard let root else { throw ConfigError("\(path):1: empty config file (expected keys and values, e.g. epochs: 2)") }
        guard case .mapping(let top) = root else {
            throw ConfigError("\(path):\(root.mark?.line ?? 1): expected keys and values at the top (e.g. epochs: 2), got \(describe(root))")
        }
        return top
    }

    /// The keys a file of `C` may set at the top, as the flags spell them (kebab-case), with
    /// the aliases (e.g. a flag name that differs from the property).
    public static func keys<C: FileConfigurable>(_: C.Type) -> [String] {
        let fields = ConfigSchema.fields(of: C.fileTemplate).map { ConfigKeyName.kebab($0.name) }
        let aliases = C.fileAliases.keys.filter { !$0.contains(".") }.map { ConfigKeyName.kebab($0) }
        var seen = Set<String>()
        return (fields + aliases.sorted()).filter { seen.insert(ConfigKeyName.normalized($0)).inserted }
    }

    /// The form keys are matched in: camelCase, kebab-case and snake_case spell the same key.
    public static func normalizedKey(_ key: String) -> String { ConfigKeyName.normalized(key) }

    /// A mapping the base does not have (a nil optional struct) must be given whole.
    static func checkComplete(_ json: ConfigJSON, fields: [ConfigField], reader: Reader, prefix: [String]) throws {
        for f in fields {
            guard case .mapping(let sub) = f.kind, let value = json[f.name], case .object = value else { continue }
            let path = prefix + [f.name]
            let missing = sub.filter { !$0.optional && !value.keys.contains($0.name) }
            if !missing.isEmpty {
                let key = path.joined(separator: ".")
                throw reader.error(reader.lines[key], reader.spelled[key] ?? key,
                                   "missing \(missing.map { ConfigKeyName.kebab($0.name) }.joined(separator: ", ")) (give all of \(sub.map { ConfigKeyName.kebab($0.name) }.joined(separator: ", ")))")
            }
            try checkComplete(value, fields: sub, reader: reader, prefix: path)
        }
    }

    /// What a YAML node is, for messages: a quoted scalar (40 characters at most), a list, a mapping.
    public static func describe(_ n: Node) -> String {
        switch n {
        case .scalar(let s): return "\"\(s.string.prefix(40))\""
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }

    /// One line for a YAML syntax error (or duplicate key) with the file and line.
    static func yamlError(_ error: Error, text: String, path: String) -> ConfigError {
        guard let y = error as? YamlError else { return ConfigError("\(path): \(error)") }
        switch y {
        case .scanner(let ctx, let problem, let mark, _), .parser(let ctx, let problem, let mark, _), .composer(let ctx, let problem, let mark, _):
            let context = ctx.map { " \($0.text)" } ?? ""
            return ConfigError("\(path):\(mark.line): not valid YAML: \(problem)\(context)")
        case .reader(let problem, let offset, _, _):
            let line = offset.map { o in 1 + text.utf8.prefix(o).filter { $0 == 10 }.count } ?? 1
            return ConfigError("\(path):\(line): not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let keys, let ctx):
            let key = keys.first ?? "?"
            let first = ctx.mark.line
            if let second = secondLine(of: key, after: ctx.mark, in: text) {
                return ConfigError("\(path):\(second): \(key): duplicate key (first on line \(first))")
            }
            return ConfigError("\(path):\(first): \(key): duplicate key")
        default:
            return ConfigError("\(path): not valid YAML: \(y)")
        }
    }

    /// The line of the first YAML alias: a `*` where a node starts, outside quotes and comments.
    static func aliasLine(_ text: String) -> Int? {
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var quote: Character?, escaped = false, afterSpace = true
            var previous: Character?   // the last character outside quotes and blanks
            for ch in line {
                if let q = quote {
                    if escaped { escaped = false } else if q == "\"" && ch == "\\" { escaped = true } else if ch == q { quote = nil; previous = ch }
                    continue
                }
                let nodeStart = previous.map { "-:?[{,".contains($0) } ?? true
                if ch == "#" && afterSpace { break }
                if ch == "*" && nodeStart { return number }
                if (ch == "\"" || ch == "'") && nodeStart { quote = ch; continue }
                if ch == " " || ch == "\t" || ch == "\r" { afterSpace = true; continue }
                afterSpace = false; previous = ch
            }
        }
        return nil
    }

    /// The line of the next `key:` (bare or quoted) after `mark`, for a duplicate key.
    static func secondLine(of key: String, after mark: Mark, in text: String) -> Int? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1 && mark.line <= lines.count else { return nil }
        let forms = [key, "\"\(key)\"", "'\(key)'"]
        for i in (mark.line - 1)..<lines.count {
            var line = Substring(lines[i])
            if i == mark.line - 1 { line = line.dropFirst(max(0, mark.column - 1) + 1) }
            var rest = line[...]
            while !rest.isEmpty {
                for f in forms where rest.hasPrefix(f) {
                    let after = rest.dropFirst(f.count).drop { $0 == " " || $0 == "\t" }
                    let before = rest.startIndex == line.startIndex ? nil : line[line.index(before: rest.startIndex)]
                    let boundary = before.map { " \t{,-".contains($0) } ?? true
                    if after.hasPrefix(":") && boundary { return i + 1 }
                }
                rest = rest.dropFirst()
            }
        }
        return nil
    }
}
