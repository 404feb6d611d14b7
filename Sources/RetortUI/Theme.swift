import Foundation
import RetortCore

/// An RGB colour from a theme file.
public struct RGB: Equatable, Sendable {
    public var r: Int, g: Int, b: Int
    public init(_ r: Int, _ g: Int, _ b: Int) { self.r = r; self.g = g; self.b = b }
    public init?(hex: String) {
        guard hex.count == 7, hex.first == "#", let v = Int(hex.dropFirst(), radix: 16) else { return nil }
        self.init((v >> 16) & 255, (v >> 8) & 255, v & 255)
    }
    func mix(_ o: RGB, _ t: Double) -> RGB {
        RGB(Int((Double(r) + (Double(o.r) - Double(r)) * t).rounded()), Int((Double(g) + (Double(o.g) - Double(g)) * t).rounded()),
            Int((Double(b) + (Double(o.b) - Double(b)) * t).rounded()))
    }
}

/// A theme: colours for the semantic roles, read from a small TOML file
/// (`key = "#RRGGBB"`, `""` = the terminal's default colour, `#` comments).
public struct Theme: Equatable, Sendable {
    public var name: String
    public var colors: [String: RGB?]

    public static let keys: [String] = ["bg", "fg", "title", "border", "highlight", "selected_fg", "selected_bg", "inactive",
                                        "error", "ok", "warn", "axis"] + (1...8).map { "series\($0)" } + ["heat_start", "heat_mid", "heat_end"]

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let file: String, line: Int, key: String?, message: String
        public var description: String { "\(file):\(line): \(key.map { "\($0): " } ?? "")\(message)" }
    }

    /// Parses theme text. Missing keys keep the built-in default's colours.
    public static func parse(_ text: String, file: String) throws -> Theme {
        var t = Theme.builtinDark
        t.name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        for textLine in TextLines.split(text) {  // BOM, CRLF and trailing blanks as every reader
            let n = textLine.number
            let line = textLine.text.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                guard line == "[colors]" else { throw ParseError(file: file, line: n, key: nil, message: "unknown section \(line) (only [colors] is allowed)") }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                throw ParseError(file: file, line: n, key: nil, message: "expected key = \"#RRGGBB\", found '\(line)'")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            // trailing comment after a closing quote
            if value.hasPrefix("\""), let close = value.dropFirst().firstIndex(of: "\"") {
                let rest = value[value.index(after: close)...].trimmingCharacters(in: .whitespaces)
                guard rest.isEmpty || rest.hasPrefix("#") else {
                    throw ParseError(file: file, line: n, key: key, message: "unexpected text after the value: '\(rest)'")
                }
                value = String(value[...close])
            }
            guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") else {
                throw ParseError(file: file, line: n, key: key, message: "value must be a quoted string like \"#1e1e2e\", found \(value.isEmpty ? "nothing" : value)")
            }
            let inner = String(value.dropFirst().dropLast())
            if key == "name" { t.name = inner; continue }
            guard keys.contains(key) else {
                throw ParseError(file: file, line: n, key: key, message: "unknown key (allowed: name, \(keys.joined(separator: ", ")))")
            }
            if inner.isEmpty { t.colors[key] = .some(nil); continue }
            guard let c = RGB(hex: inner) else {
                throw ParseError(file: file, line: n, key: key, message: "'\(inner)' is not a colour: use \"#RRGGBB\" (six hex digits) or \"\" for the terminal default")
            }
            t.colors[key] = c
        }
        return t
    }

    public static func load(path: String) throws -> Theme {
        let data: Data
        do { data = try RegularFile.read(path, limit: RegularFile.textLimit) } catch let e as RegularFile.ReadError {
            throw ParseError(file: path, line: 0, key: nil, message: e.message)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ParseError(file: path, line: 0, key: nil, message: "not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    public func color(_ key: String) -> RGB? { colors[key] ?? nil }

    /// The built-in default (also shipped as themes/dark.toml).
    public static let builtinDark: Theme = {
        let hex: [String: String] = [
            "bg": "", "fg": "#c0caf5", "title": "#7aa2f7", "border": "#414868", "highlight": "#e0af68",
            "selected_fg": "#1a1b26", "selected_bg": "#7aa2f7", "inactive": "#565f89", "error": "#f7768e",
            "ok": "#9ece6a", "warn": "#e0af68", "axis": "#737aa2",
            "series1": "#7aa2f7", "series2": "#f7768e", "series3": "#9ece6a", "series4": "#e0af68",
            "series5": "#bb9af7", "series6": "#7dcfff", "series7": "#ff9e64", "series8": "#c0caf5",
            "heat_start": "#1a1b26", "heat_mid": "#7aa2f7", "heat_end": "#f7768e",
        ]
        return Theme(name: "dark", colors: hex.mapValues { $0.isEmpty ? nil : RGB(hex: $0) })
    }()
}
