import Foundation

/// Which column of a CSV row holds the label.
public enum CSVLabelColumn: Sendable, Equatable, CustomStringConvertible {
    case first
    case last
    /// 1-based column number.
    case number(Int)
    /// A header row's column name (matched ignoring case).
    case name(String)

    /// `first`, `last`, a 1-based number or a header name; nil when empty or a number below 1.
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { return nil }
        switch t.lowercased() {
        case "first": self = .first
        case "last": self = .last
        default:
            if t.allSatisfy(\.isNumber) {
                guard let n = Int(t), n >= 1 else { return nil }
                self = .number(n)
            } else {
                self = .name(t)
            }
        }
    }

    public var description: String {
        switch self {
        case .first: return "first"
        case .last: return "last"
        case .number(let n): return String(n)
        case .name(let s): return s
        }
    }

    /// What may be given, for messages.
    public static let allowed = "first, last, a column number from 1, or a header row's column name"
}

/// How a CSV file lays out its rows: where the label is and whether a header row comes first.
public struct CSVColumns: Sendable, Equatable {
    /// nil: a header column named label, class, target or y when there is a header row, else the last column.
    public var label: CSVLabelColumn?
    /// nil: a header row when every cell of the first row is text (not a number).
    public var header: Bool?

    public init(label: CSVLabelColumn? = nil, header: Bool? = nil) {
        self.label = label; self.header = header
    }

    /// The bundled samples' form, and `retort check data`'s: no header row, the label last.
    public static let plain = CSVColumns(label: .last, header: false)

    /// Header names taken as the label column when none is declared.
    static let labelNames: Set<String> = ["label", "labels", "class", "target", "y"]
}
