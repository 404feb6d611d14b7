/// A simple table: header row plus rows of cells, columns right-aligned except the first.
public struct Table {
    public var headers: [String]
    public var rows: [[String]]
    public var highlight: Int? = nil
    /// Columns aligned left (the rest right).
    public var leftAligned: Set<Int> = [0]
    public init(headers: [String], rows: [[String]]) { self.headers = headers; self.rows = rows }

    public func render(into g: inout CellGrid, in r: Rect) {
        guard r.width > 0 && r.height > 0 else { return }
        var widths = headers.map(\.count)
        for row in rows { for (i, c) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let w = i < widths.count ? widths[i] : c.count
                let pad = String(repeating: " ", count: max(0, w - c.count))
                return leftAligned.contains(i) ? c + pad : pad + c
            }.joined(separator: "  ")
        }
        g.put(r.x, r.y, line(headers), fg: .title, attrs: .bold, clip: r)
        for (i, row) in rows.prefix(r.height - 1).enumerated() {
            let sel = highlight == i
            g.put(r.x, r.y + 1 + i, line(row), fg: sel ? .selectedFg : .fg, bg: sel ? .selectedBg : .bg, clip: r)
        }
    }
}
