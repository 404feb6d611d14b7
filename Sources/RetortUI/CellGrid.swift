/// A rectangle in cell coordinates.
public struct Rect: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }
    public func inset(_ d: Int) -> Rect { Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }
    /// Splits off `h` rows at the top.
    public func top(_ h: Int) -> (Rect, Rect) {
        let h = min(max(0, h), height)
        return (Rect(x: x, y: y, width: width, height: h), Rect(x: x, y: y + h, width: width, height: height - h))
    }
    /// Splits off `w` columns at the left.
    public func left(_ w: Int) -> (Rect, Rect) {
        let w = min(max(0, w), width)
        return (Rect(x: x, y: y, width: w, height: height), Rect(x: x + w, y: y, width: width - w, height: height))
    }
}

/// The frame the UI renders into: width × height cells. Pure Swift; the ncurses backend
/// copies it to the terminal, tests read it as text (and colour roles).
public struct CellGrid: Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = max(0, width); self.height = max(0, height)
        cells = Array(repeating: fill, count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0 && x < width && y >= 0 && y < height { cells[y * width + x] = newValue } }
    }

    public mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        guard x >= 0 && x < width && y >= 0 && y < height else { return }
        cells[y * width + x] = cell
    }

    /// Writes `text` from (x, y), clipped to `clip` (default: the whole grid). Returns the x after the text.
    @discardableResult
    public mutating func put(_ x: Int, _ y: Int, _ text: String, fg: ColorRole = .fg, bg: ColorRole = .bg,
                             attrs: Attributes = [], clip: Rect? = nil) -> Int {
        let c = clip ?? bounds
        guard y >= c.y && y < c.maxY else { return x + text.count }
        var cx = x
        for ch in text {
            if cx >= c.x && cx < c.maxX { set(cx, y, Cell(ch, fg: fg, bg: bg, attrs: attrs)) }
            cx += 1
        }
        return cx
    }

    public mutating func fill(_ r: Rect, _ cell: Cell) {
        for y in max(0, r.y)..<min(height, r.maxY) { for x in max(0, r.x)..<min(width, r.maxX) { cells[y * width + x] = cell } }
    }

    /// Changes the background (and optionally attributes) of every cell in `r`.
    public mutating func tint(_ r: Rect, bg: ColorRole, fg: ColorRole? = nil, attrs: Attributes? = nil) {
        for y in max(0, r.y)..<min(height, r.maxY) {
            for x in max(0, r.x)..<min(width, r.maxX) {
                cells[y * width + x].bg = bg
                if let fg { cells[y * width + x].fg = fg }
                if let attrs { cells[y * width + x].attrs = attrs }
            }
        }
    }

    /// A box border with an optional title in the top edge.
    public mutating func box(_ r: Rect, title: String? = nil, glyphs: Glyphs, focused: Bool = false) {
        guard r.width >= 2 && r.height >= 2 else { return }
        let role: ColorRole = focused ? .highlight : .border
        let b = glyphs.box
        put(r.x, r.y, String(b.tl), fg: role); put(r.maxX - 1, r.y, String(b.tr), fg: role)
        put(r.x, r.maxY - 1, String(b.bl), fg: role); put(r.maxX - 1, r.maxY - 1, String(b.br), fg: role)
        for x in r.x + 1..<r.maxX - 1 { put(x, r.y, String(b.h), fg: role); put(x, r.maxY - 1, String(b.h), fg: role) }
        for y in r.y + 1..<r.maxY - 1 { put(r.x, y, String(b.v), fg: role); put(r.maxX - 1, y, String(b.v), fg: role) }
        if let title, r.width > 4 {
            let t = " " + KeyHelp.fit(title, width: r.width - 4) + " "
            put(r.x + 1, r.y, t, fg: .title, attrs: .bold)
        }
    }

    /// The grid as plain text, one line per row (trailing spaces kept).
    public var text: String { (0..<height).map { row($0) }.joined(separator: "\n") }
    public func row(_ y: Int) -> String { String(cells[(y * width)..<((y + 1) * width)].map(\.char)) }
    /// Does any row contain `s`?
    public func contains(_ s: String) -> Bool { (0..<height).contains { row($0).contains(s) } }
}

/// Glyph sets: Unicode (braille, blocks, box drawing) or plain ASCII for terminals
/// without UTF-8.
public struct Glyphs: Sendable {
    public struct Box: Sendable { public let h, v, tl, tr, bl, br: Character }
    public let unicode: Bool
    public let box: Box
    /// Vertical eighths from empty to full (9 entries).
    public let eighths: [Character]
    public let half: Character            // upper half block for heatmaps
    public let shades: [Character]        // density ramp for colourless heatmaps
    public let marker: Character          // vertical marker in charts
    public let ellipsis: String

    public static let unicodeSet = Glyphs(unicode: true, box: Box(h: "─", v: "│", tl: "┌", tr: "┐", bl: "└", br: "┘"),
                                          eighths: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], half: "▀",
                                          shades: [" ", "░", "▒", "▓", "█"], marker: "┆", ellipsis: "…")
    public static let asciiSet = Glyphs(unicode: false, box: Box(h: "-", v: "|", tl: "+", tr: "+", bl: "+", br: "+"),
                                        eighths: [" ", ".", ".", "_", "_", "=", "=", "#", "#"], half: "#",
                                        shades: [" ", ".", ":", "*", "#"], marker: "|", ellipsis: "~")
}
