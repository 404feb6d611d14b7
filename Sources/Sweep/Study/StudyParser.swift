import Foundation
import RunKit
import Yams

/// Reads a study file (YAML or JSON, with the checks `--config` files get). Every error is
/// one line: `FILE:LINE: KEY: problem (what is allowed)`.
public enum StudyParser {
    static let topKeys = ["name", "command", "options", "conditions", "axes", "sampling", "seeds", "baseline"]

    public static func read(path: String, commands: [SweepCommand]) throws -> Study {
        try parse(bytes: try ConfigFile.bytes(path: path), path: path, commands: commands)
    }

    public static func parse(bytes: [UInt8], path: String, commands: [SweepCommand]) throws -> Study {
        let top = try ConfigFile.document(bytes: bytes, path: path)
        func fail(_ line: Int?, _ key: String, _ problem: String) -> ConfigError {
            ConfigError("\(path)\(line.map { ":\($0)" } ?? ""): \(key): \(problem)")
        }
        var byKey: [String: (Node, Int)] = [:]
        for (k, v) in top {
            let line = k.mark?.line ?? 1
            guard case .scalar(let ks) = k, topKeys.contains(ks.string) else {
                throw fail(line, k.scalar?.string ?? "key", "unknown key (keys: \(topKeys.joined(separator: ", ")))")
            }
            byKey[ks.string] = (v, line)
        }
        func scalar(_ key: String, _ n: Node, _ line: Int, _ expected: String) throws -> String {
            guard case .scalar(let s) = n else { throw fail(n.mark?.line ?? line, key, "expected \(expected), got \(describe(n))") }
            return s.string
        }

        // command
        guard let (cn, cl) = byKey["command"] else {
            throw ConfigError("\(path):1: command: missing (one of \(commands.map(\.name).joined(separator: ", ")))")
        }
        let commandText = try scalar("command", cn, cl, "a command name").split(separator: " ").joined(separator: " ")
        guard let command = commands.first(where: { $0.name == commandText }) else {
            throw fail(cl, "command", "unknown command \"\(commandText)\" (one of \(commands.map(\.name).joined(separator: ", ")))")
        }
        func optionKey(_ k: Node, _ section: String) throws -> (String, Int) {
            let line = k.mark?.line ?? 1
            guard case .scalar(let ks) = k else { throw fail(line, section, "a key must be an option name, got \(describe(k))") }
            let n = ConfigFile.normalizedKey(ks.string)
            if command.reservedKeys.contains(where: { ConfigFile.normalizedKey($0) == n }) {
                throw fail(line, "\(section).\(ks.string)", "set by the sweep for every point (seeds: lists the seeds; threads and run folders come from `retort sweep`)")
            }
            guard let name = command.keys.first(where: { ConfigFile.normalizedKey($0) == n }) else {
                let allowed = command.keys.filter { !command.reservedKeys.contains($0) }
                throw fail(line, "\(section).\(ks.string)", "unknown option of \(command.name) (options: \(allowed.joined(separator: ", ")))")
            }
            return (name, line)
        }
        func value(_ v: Node, key: String, line: Int) throws -> String {
            switch v {
            case .scalar(let s): return s.string
            case .sequence(let items):
                return try items.map { i -> String in
                    guard case .scalar(let s) = i else { throw fail(i.mark?.line ?? line, key, "expected a value or a list of values, got \(describe(i)) in the list") }
                    return s.string
                }.joined(separator: ",")
            default: throw fail(v.mark?.line ?? line, key, "expected a value or a list of values, got \(describe(v))")
            }
        }

        // name
        var name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        if let (n, l) = byKey["name"] {
            name = try scalar("name", n, l, "a name")
            let ok = !name.isEmpty && name.count <= 100 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) } && !name.hasPrefix(".")
            guard ok else { throw fail(l, "name", "\"\(name.prefix(40))\" is not a folder name (letters, digits, . _ -; at most 100)") }
        }

        // options
        var options: [Study.Setting] = []
        if let (n, l) = byKey["options"] {
            guard case .mapping(let m) = n else { throw fail(l, "options", "expected a mapping of option names to values, got \(describe(n))") }
            for (k, v) in m {
                let (key, line) = try optionKey(k, "options")
                if let first = options.first(where: { $0.key == key }) { throw fail(line, "options.\(key)", "duplicate option (first on line \(first.line))") }
                options.append(Study.Setting(key: key, value: try value(v, key: "options.\(key)", line: line), line: line))
            }
        }

        // axes
        var axes: [Study.Axis] = []
        if let (n, l) = byKey["axes"] {
            guard case .mapping(let m) = n else { throw fail(l, "axes", "expected a mapping of option names to lists or ranges, got \(describe(n))") }
            for (k, v) in m {
                let (key, line) = try optionKey(k, "axes")
                if let o = options.first(where: { $0.key == key }) { throw fail(line, "axes.\(key)", "also a fixed option (line \(o.line)); give it in one place") }
                if let a = axes.first(where: { $0.key == key }) { throw fail(line, "axes.\(key)", "duplicate axis (first on line \(a.line))") }
                let values = try axisValues(v, key: "axes.\(key)", line: line, fail: fail)
                axes.append(Study.Axis(key: key, values: values, line: line))
            }
        }

        // conditions
        var conditions: [Study.Condition] = []
        if let (n, l) = byKey["conditions"] {
            conditions = try parseConditions(n, line: l, options: options, axes: axes, optionKey: optionKey, value: value, fail: fail)
        }

        // sampling
        var sampling = Study.Sampling.grid
        if let (n, l) = byKey["sampling"] {
            switch n {
            case .scalar(let s) where s.string == "grid": break
            case .mapping(let m):
                var count: Int?, seed: UInt64 = 1
                for (k, v) in m {
                    let kl = k.mark?.line ?? l
                    switch k.scalar?.string {
                    case "random":
                        guard let c = v.scalar.flatMap({ Int($0.string) }), c >= 1, c <= 100_000 else { throw fail(kl, "sampling.random", "expected a whole number of conditions in 1…100000, got \(describe(v))") }
                        count = c
                    case "seed":
                        guard let s = v.scalar.flatMap({ UInt64($0.string) }) else { throw fail(kl, "sampling.seed", "expected a whole number ≥ 0, got \(describe(v))") }
                        seed = s
                    default: throw fail(kl, "sampling.\(k.scalar?.string ?? "?")", "unknown key (keys: random, seed)")
                    }
                }
                guard let count else { throw fail(l, "sampling", "missing random (e.g. {random: 8, seed: 1})") }
                sampling = .random(count: count, seed: seed)
            default: throw fail(n.mark?.line ?? l, "sampling", "expected grid or {random: N, seed: S}, got \(describe(n))")
            }
        }

        // seeds
        var seeds: [UInt64] = [1]
        if let (n, l) = byKey["seeds"] {
            let items: [Node]
            if case .sequence(let s) = n { items = Array(s) } else { items = [n] }
            seeds = try items.map { i in
                guard let s = i.scalar.flatMap({ UInt64($0.string) }) else { throw fail(i.mark?.line ?? l, "seeds", "expected whole numbers ≥ 0, got \(describe(i))") }
                return s
            }
            guard !seeds.isEmpty else { throw fail(l, "seeds", "empty list (give at least one seed)") }
            if Set(seeds).count != seeds.count { throw fail(l, "seeds", "a seed is listed twice (paired seeds must differ)") }
            if command.seedFlag == nil && seeds.count > 1 { throw fail(l, "seeds", "\(command.name) takes no seed (give one seed or none)") }
        }

        // baseline
        var baseline: [Study.Setting] = []
        var baselineLabel: String?
        if let (n, l) = byKey["baseline"] {
            guard case .mapping(let m) = n, !m.isEmpty else { throw fail(l, "baseline", "expected axis values, e.g. {method: base}, or {condition: LABEL}, got \(describe(n))") }
            for (k, v) in m {
                let kl = k.mark?.line ?? l
                let kn = ConfigFile.normalizedKey(k.scalar?.string ?? "")
                if kn == "condition" && !conditions.isEmpty {
                    let label = try scalar("baseline.condition", v, kl, "a condition's label")
                    guard conditions.contains(where: { $0.label == label }) else {
                        throw fail(kl, "baseline.condition", "\"\(label.prefix(60))\" is not a condition's label (labels: \(conditions.map(\.label).joined(separator: "; ")))")
                    }
                    baselineLabel = label
                    continue
                }
                guard let axis = axes.first(where: { ConfigFile.normalizedKey($0.key) == kn }) else {
                    throw fail(kl, "baseline.\(k.scalar?.string ?? "?")", "not an axis (axes: \(axes.map(\.key).joined(separator: ", "))\(conditions.isEmpty ? "" : "; or condition: LABEL"))")
                }
                let val = try value(v, key: "baseline.\(axis.key)", line: kl)
                guard axis.values.contains(val) else {
                    throw fail(kl, "baseline.\(axis.key)", "\(val) is not a value of the axis (values: \(axis.values.joined(separator: ", ")))")
                }
                baseline.append(Study.Setting(key: axis.key, value: val, line: kl))
            }
        }

        let study = Study(name: name, path: path, command: command, options: options, axes: axes, conditions: conditions,
                          sampling: sampling, seeds: seeds, baseline: baseline, baselineLabel: baselineLabel, bytes: bytes)
        if study.points.count > 100_000 { throw fail(byKey["axes"]?.1, "axes", "\(study.points.count) points (at most 100000; use sampling: {random: N})") }
        try validateValues(study)
        return study
    }

    /// `conditions:`: a list of maps option → value, each with an optional `label:`. A
    /// condition's options may be neither fixed options nor axes; labels (given or derived
    /// from the options) must differ.
    static func parseConditions(_ n: Node, line l: Int, options: [Study.Setting], axes: [Study.Axis],
                                optionKey: (Node, String) throws -> (String, Int),
                                value: (Node, String, Int) throws -> String,
                                fail: (Int?, String, String) -> ConfigError) throws -> [Study.Condition] {
        let shape = "a list of conditions, each a map of option names to values with an optional label:"
        guard case .sequence(let items) = n else { throw fail(n.mark?.line ?? l, "conditions", "expected \(shape), got \(describe(n))") }
        guard !items.isEmpty else { throw fail(l, "conditions", "empty list (give at least one condition)") }
        var out: [Study.Condition] = []
        for (i, item) in items.enumerated() {
            let il = item.mark?.line ?? l
            let where_ = "conditions[\(i + 1)]"
            guard case .mapping(let m) = item else { throw fail(il, where_, "expected a map of option names to values with an optional label:, got \(describe(item))") }
            var label: String?
            var settings: [Study.Setting] = []
            for (k, v) in m {
                let kl = k.mark?.line ?? il
                if k.scalar?.string == "label" {
                    guard case .scalar(let s) = v else { throw fail(kl, "\(where_).label", "expected a label, got \(describe(v))") }
                    let t = s.string
                    guard !t.isEmpty, t.count <= 100, !t.contains(where: { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 } ?? false) || $0 == "," }) else {
                        throw fail(kl, "\(where_).label", "\"\(t.prefix(40))\" is not a label (1…100 characters, no commas or control characters)")
                    }
                    label = t
                    continue
                }
                let (key, line) = try optionKey(k, where_)
                if let o = options.first(where: { $0.key == key }) { throw fail(line, "\(where_).\(key)", "also a fixed option (line \(o.line)); give it in one place") }
                if let a = axes.first(where: { $0.key == key }) { throw fail(line, "\(where_).\(key)", "also an axis (line \(a.line)); give it in one place") }
                if let d = settings.first(where: { $0.key == key }) { throw fail(line, "\(where_).\(key)", "duplicate option (first on line \(d.line))") }
                settings.append(Study.Setting(key: key, value: try value(v, "\(where_).\(key)", line), line: line))
            }
            guard !settings.isEmpty else { throw fail(il, where_, "no options (a condition sets at least one option; label: alone names nothing)") }
            let name = label ?? Point.key(settings.map { ($0.key, $0.value) })
            if let d = out.first(where: { $0.label == name }) {
                throw fail(il, where_, "the condition \"\(name.prefix(60))\" is also on line \(d.line) (conditions must differ; labels too)")
            }
            out.append(Study.Condition(label: name, settings: settings, line: il))
        }
        return out
    }

    /// Values of one axis: a list, `{from, to, step}` or `{from, to, count[, log: true]}`.
    static func axisValues(_ v: Node, key: String, line: Int, fail: (Int?, String, String) -> ConfigError) throws -> [String] {
        let shape = "a list, {from, to, step} or {from, to, count, log: true}"
        switch v {
        case .sequence(let items):
            let values = try items.map { i -> String in
                guard case .scalar(let s) = i else { throw fail(i.mark?.line ?? line, key, "expected \(shape), got \(describe(i)) in the list") }
                return s.string
            }
            guard !values.isEmpty else { throw fail(line, key, "empty list (give at least one value)") }
            if Set(values).count != values.count { throw fail(line, key, "a value is listed twice") }
            return values
        case .mapping(let m):
            var f: [String: (String, Int)] = [:]
            for (k, val) in m {
                let kl = k.mark?.line ?? line
                guard let ks = k.scalar?.string, ["from", "to", "step", "count", "log"].contains(ks) else {
                    throw fail(kl, "\(key).\(k.scalar?.string ?? "?")", "unknown key (keys: from, to, step, count, log)")
                }
                guard let s = val.scalar?.string else { throw fail(kl, "\(key).\(ks)", "expected a number, got \(describe(val))") }
                f[ks] = (s, kl)
            }
            func number(_ k: String) throws -> Double {
                guard let (s, kl) = f[k] else { throw fail(line, key, "missing \(k) (\(shape))") }
                guard let d = Double(s), d.isFinite else { throw fail(kl, "\(key).\(k)", "expected a number, got \"\(s.prefix(40))\"") }
                return d
            }
            let from = try number("from"), to = try number("to")
            let integral = [f["from"]?.0, f["to"]?.0, f["step"]?.0].allSatisfy { $0.map { Int($0) != nil } ?? true }
            let log: Bool
            switch f["log"]?.0.lowercased() {
            case nil, "false", "no": log = false
            case "true", "yes": log = true
            default: throw fail(f["log"]?.1, "\(key).log", "expected true or false, got \"\(f["log"]!.0.prefix(40))\"")
            }
            if f["step"] != nil && f["count"] != nil { throw fail(line, key, "give step or count, not both (\(shape))") }
            if let (cs, cl) = f["count"] {
                guard let count = Int(cs), (1...10_000).contains(count) else { throw fail(cl, "\(key).count", "expected a whole number in 1…10000, got \"\(cs.prefix(40))\"") }
                if log && (from <= 0 || to <= 0) { throw fail(line, key, "a log range needs from and to > 0, got \(f["from"]!.0) and \(f["to"]!.0)") }
                return StudyExpansion.spaced(from: from, to: to, count: count, log: log, integral: integral && !log)
            }
            if log { throw fail(f["log"]?.1, "\(key).log", "a log range takes count, not step") }
            let step = try number("step")
            guard step > 0, to >= from else { throw fail(f["step"]?.1, "\(key).step", "needs step > 0 and to ≥ from, got from \(f["from"]!.0), to \(f["to"]!.0), step \(f["step"]!.0)") }
            guard (to - from) / step < 10_000 else { throw fail(f["step"]?.1, "\(key).step", "more than 10000 values") }
            return StudyExpansion.range(from: from, to: to, step: step, integral: integral)
        default:
            throw fail(v.mark?.line ?? line, key, "expected \(shape), got \(describe(v))")
        }
    }

    /// Each distinct condition's options are read as the command reads them (its `--config`
    /// reader and range checks); an error names the study file's line of the option.
    static func validateValues(_ study: Study) throws {
        guard case .configFile(let validate) = study.command.options else { return }
        var seen = Set<String>()
        for p in study.points where !p.options.isEmpty && seen.insert(p.conditionKey).inserted {
            let tag = "<\(p.conditionKey)>"
            do { try validate(Array(PointConfig.yaml(p.options).utf8), tag) } catch {
                throw ConfigError(relocate("\(error)", tag: tag, point: p, study: study))
            }
        }
    }

    /// Rewrites "TAG:LINE: key: …" (a point's generated config) to the study file's line.
    static func relocate(_ message: String, tag: String, point: Point, study: Study) -> String {
        guard message.hasPrefix(tag) else { return "\(study.path): \(message)" }
        var rest = message.dropFirst(tag.count)
        var line: Int?
        if rest.hasPrefix(":") {
            let digits = rest.dropFirst().prefix { $0.isNumber }
            if let n = Int(digits) { line = n; rest = rest.dropFirst(1 + digits.count) }
        }
        let detail = rest.hasPrefix(": ") ? String(rest.dropFirst(2)) : String(rest)
        var studyLine: Int?
        if let line, line >= 1, line <= point.options.count {
            let key = point.options[line - 1].0
            studyLine = study.options.first { $0.key == key }?.line ?? study.axes.first { $0.key == key }?.line
                ?? study.conditions.first { $0.label == point.label }?.settings.first { $0.key == key }?.line
        }
        let cond = study.axes.isEmpty && study.conditions.isEmpty ? "" : " (condition \(point.conditionKey))"
        return "\(study.path)\(studyLine.map { ":\($0)" } ?? ""): \(detail)\(cond)"
    }

    static func describe(_ n: Node) -> String { ConfigFile.describe(n) }
}

/// A point's options as the YAML config file its child reads (`--config`): one key per
/// line in the point's order, values as JSON strings.
public enum PointConfig {
    public static func yaml(_ options: [(String, String)]) -> String {
        options.map { "\($0.0): \(quoted($0.1))\n" }.joined()
    }

    /// A string as a double-quoted YAML (JSON) scalar.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
