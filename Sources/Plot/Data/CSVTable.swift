import Foundation

/// A CSV file with a header row (RFC 4180 quoting), read for figures: columns by name,
/// numbers where a field parses as one.
public struct CSVTable: Sendable {
    public let file: String
    public let header: [String]
    public let rows: [[String]]

    public init(file: String, header: [String], rows: [[String]]) { self.file = file; self.header = header; self.rows = rows }

    public static func read(_ path: String) throws -> CSVTable {
        guard let data = FileManager.default.contents(atPath: path) else { throw PlotError("\(path): cannot read it") }
        guard let text = String(data: data, encoding: .utf8) else { throw PlotError("\(path): not UTF-8 text") }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> CSVTable {
        var records: [[String]] = [], field = "", record: [String] = [], quoted = false, afterQuote = false
        var it = text.makeIterator()
        while let c = it.next() {
            if quoted {
                if c == "\"" { quoted = false; afterQuote = true } else { field.append(c) }
                continue
            }
            switch c {
            case "\"": if afterQuote { field.append("\"") }; quoted = true; afterQuote = false
            case ",": record.append(field); field = ""; afterQuote = false
            case "\n", "\r\n":
                record.append(field); field = ""; afterQuote = false
                if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
                record = []
            case "\r": break
            default: field.append(c); afterQuote = false
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        guard let header = records.first else { throw PlotError("\(file): empty (a header row is needed)") }
        for (i, r) in records.enumerated().dropFirst() where r.count != header.count {
            throw PlotError("\(file):\(i + 1): \(r.count) fields, the header has \(header.count)")
        }
        return CSVTable(file: file, header: header, rows: Array(records.dropFirst()))
    }

    public func index(_ column: String) -> Int? { header.firstIndex(of: column) }

    /// The column's index, or an error naming the columns there are.
    public func require(_ column: String, for what: String) throws -> Int {
        guard let i = index(column) else {
            throw PlotError("\(file): \(what): no column '\(column)' (columns: \(header.joined(separator: ", ")))")
        }
        return i
    }

    /// A number field (empty or words: NaN).
    public static func number(_ s: String) -> Double { Double(s.trimmingCharacters(in: .whitespaces)) ?? .nan }

    public func numbers(_ column: Int) -> [Double] { rows.map { Self.number($0[column]) } }
}
