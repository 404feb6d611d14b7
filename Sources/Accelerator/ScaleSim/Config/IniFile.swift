import Foundation
import RetortCore

/// An INI file read with the semantics of Python's `configparser.ConfigParser()` defaults,
/// which is what SCALE-Sim uses:
/// - `key = value` and `key : value` (the first `=` or `:` splits); keys are
///   case-insensitive, values are stripped;
/// - whole-line comments start with `#` or `;`; **inline comments are not stripped**
///   (`16 # rows` is the value);
/// - an indented line continues the previous value (joined with a newline);
/// - a byte-order mark, CRLF line ends and trailing blanks are ignored (`TextLines`);
/// - an option before any `[section]`, a duplicate section or a duplicate option in one
///   section, and a line that is neither are errors.
public struct IniFile: Sendable {
    public struct Entry: Sendable { public var value: String; public var line: Int; public var key: String }
    public let file: String
    /// Section name (case-sensitive, as configparser) → lowercased key → entry.
    public private(set) var sections: [String: [String: Entry]] = [:]
    public private(set) var sectionLines: [String: Int] = [:]

    public init(text: String, file: String) throws {
        self.file = file
        var current: String? = nil
        var lastKey: String? = nil, lastIndent = 0, blanks = 0
        for textLine in TextLines.split(text) {
            let lineNo = textLine.number
            let line = String(textLine.text)
            let stripped = line.trimmingCharacters(in: .whitespaces)
            let indent = line.prefix { $0 == " " || $0 == "\t" }.count
            if stripped.isEmpty { blanks += 1; continue }  // kept inside a value only if a continuation follows
            if stripped.hasPrefix("#") || stripped.hasPrefix(";") { continue }
            // continuation of the previous value (indented deeper than its key)
            if let key = lastKey, let sec = current, indent > lastIndent {
                sections[sec]![key]!.value += String(repeating: "\n", count: blanks + 1) + stripped
                blanks = 0
                continue
            }
            blanks = 0
            if stripped.hasPrefix("["), let close = stripped.lastIndex(of: "]") {
                let name = String(stripped[stripped.index(after: stripped.startIndex)..<close])
                guard !name.isEmpty else { throw InputFileError(file: file, line: lineNo, field: nil, "empty section name") }
                if sections[name] != nil {
                    throw InputFileError(file: file, line: lineNo, field: "[\(name)]", "duplicate section (first at line \(sectionLines[name]!))")
                }
                sections[name] = [:]; sectionLines[name] = lineNo
                current = name; lastKey = nil
                continue
            }
            guard let sec = current else {
                throw InputFileError(file: file, line: lineNo, field: nil, "option outside any [section]: '\(stripped)'")
            }
            guard let d = stripped.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw InputFileError(file: file, line: lineNo, field: nil, "expected 'key = value' or 'key : value', got '\(stripped)'")
            }
            let keyText = stripped[..<d].trimmingCharacters(in: .whitespaces)
            guard !keyText.isEmpty else { throw InputFileError(file: file, line: lineNo, field: nil, "missing key before '\(stripped[d])'") }
            let key = keyText.lowercased()
            let value = stripped[stripped.index(after: d)...].trimmingCharacters(in: .whitespaces)
            if let prev = sections[sec]![key] {
                throw InputFileError(file: file, line: lineNo, field: "\(sec).\(keyText)", "duplicate option (first at line \(prev.line))")
            }
            sections[sec]![key] = Entry(value: value, line: lineNo, key: keyText)
            lastKey = key; lastIndent = indent
        }
    }

    public func has(_ section: String) -> Bool { sections[section] != nil }

    public func entry(_ section: String, _ key: String) -> Entry? { sections[section]?[key.lowercased()] }

    /// The value of a required option, or an error naming the section and key.
    public func require(_ section: String, _ key: String) throws -> Entry {
        guard let s = sections[section] else {
            throw InputFileError(file: file, line: nil, field: "[\(section)]", "missing section")
        }
        guard let e = s[key.lowercased()] else {
            throw InputFileError(file: file, line: sectionLines[section], field: "\(section).\(key)", "missing option")
        }
        return e
    }

    public func int(_ section: String, _ key: String, min lo: Int? = nil, max hi: Int? = nil) throws -> Int {
        let e = try require(section, key)
        guard let v = Int(e.value) else {
            var msg = "'\(e.value)' is not an integer"
            if e.value.contains("#") || e.value.contains(";") { msg += " (inline comments are not stripped; put comments on their own line)" }
            throw InputFileError(file: file, line: e.line, field: "\(section).\(e.key)", msg)
        }
        if let lo, v < lo { throw InputFileError(file: file, line: e.line, field: "\(section).\(e.key)", "must be ≥ \(lo), got \(v)") }
        if let hi, v > hi { throw InputFileError(file: file, line: e.line, field: "\(section).\(e.key)", SizeLimits.tooLarge(v, hi)) }
        return v
    }

    /// configparser's `getboolean`: 1/yes/true/on and 0/no/false/off, case-insensitive.
    public func bool(_ section: String, _ key: String) throws -> Bool {
        let e = try require(section, key)
        switch e.value.lowercased() {
        case "1", "yes", "true", "on": return true
        case "0", "no", "false", "off": return false
        default: throw InputFileError(file: file, line: e.line, field: "\(section).\(e.key)", "'\(e.value)' is not a boolean")
        }
    }
}
