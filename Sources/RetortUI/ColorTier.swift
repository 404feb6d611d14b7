/// How many colours the terminal offers; theme RGB values are mapped down to it.
public enum ColorTier: String, Sendable, CaseIterable {
    case c256 = "256", c16 = "16", c8 = "8", mono = "0"

    public static func detect(colors: Int, noColor: Bool) -> ColorTier {
        if noColor || colors < 8 { return .mono }
        if colors >= 256 { return .c256 }
        if colors >= 16 { return .c16 }
        return .c8
    }
}

/// A theme resolved for a tier: palette indices (−1 = terminal default) and attributes per role.
public struct ResolvedTheme: Sendable {
    public struct Style: Equatable, Sendable { public var fg: Int, bg: Int, attrs: Attributes }
    public let tier: ColorTier
    public let theme: Theme
    private var fgIndex: [ColorRole: Int] = [:]
    private var ramp: [Int] = []

    public init(_ theme: Theme, tier: ColorTier) {
        self.theme = theme
        // A theme without any colour (e.g. "mono") is rendered like a monochrome terminal.
        self.tier = theme.colors.values.allSatisfy { $0 == nil } ? .mono : tier
        let roles: [(ColorRole, String)] = [(.fg, "fg"), (.bg, "bg"), (.title, "title"), (.border, "border"), (.highlight, "highlight"),
            (.selectedFg, "selected_fg"), (.selectedBg, "selected_bg"), (.inactive, "inactive"), (.error, "error"), (.ok, "ok"),
            (.warn, "warn"), (.axis, "axis")] + (0..<8).map { (.series($0), "series\($0 + 1)") }
        for (role, key) in roles { fgIndex[role] = theme.color(key).map { Self.index($0, tier) } ?? -1 }
        let a = theme.color("heat_start") ?? RGB(0, 0, 0), m = theme.color("heat_mid"), b = theme.color("heat_end") ?? RGB(255, 255, 255)
        let n = ColorRole.rampSteps
        ramp = (0..<n).map { i in
            let t = Double(i) / Double(n - 1)
            let c = m.map { t < 0.5 ? a.mix($0, t * 2) : $0.mix(b, t * 2 - 1) } ?? a.mix(b, t)
            return Self.index(c, tier)
        }
    }

    public var hasColor: Bool { tier != .mono }

    /// Palette index for a role used as a colour (−1 = default).
    public func index(_ role: ColorRole) -> Int {
        guard tier != .mono else { return -1 }
        switch role {
        case .ramp(let i): return ramp[min(max(0, i), ramp.count - 1)]
        case .series(let i): return fgIndex[.series(i % 8)] ?? -1
        default: return fgIndex[role] ?? -1
        }
    }

    /// The style for a cell: colours, plus the attributes that carry meaning without colour.
    public func style(_ c: Cell) -> Style {
        var attrs = c.attrs
        if tier == .mono {
            switch c.fg {
            case .title, .error: attrs.insert(.bold)
            case .inactive, .axis, .border: attrs.insert(.dim)
            case .selectedFg: attrs.insert(.reverse)
            default: break
            }
            if c.bg == .selectedBg { attrs.insert(.reverse) }
            return Style(fg: -1, bg: -1, attrs: attrs)
        }
        return Style(fg: index(c.fg), bg: index(c.bg), attrs: attrs)
    }

    /// 256: btop's truecolor_to_256 (grey ramp when r, g, b agree, else the 6×6×6 cube);
    /// 16/8: the nearest xterm base colour.
    public static func index(_ c: RGB, _ tier: ColorTier) -> Int {
        switch tier {
        case .c256:
            if c.r / 11 == c.g / 11 && c.g / 11 == c.b / 11 { return min(255, 232 + c.r / 11) }
            func q(_ v: Int) -> Int { Int((Double(v) / 51).rounded()) }
            return 16 + 36 * q(c.r) + 6 * q(c.g) + q(c.b)
        case .c16, .c8:
            let n = tier == .c16 ? 16 : 8
            return (0..<n).min { d(c, base[$0]) < d(c, base[$1]) }!
        case .mono: return -1
        }
    }
    static let base: [RGB] = [RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0), RGB(0, 0, 238), RGB(205, 0, 205),
                              RGB(0, 205, 205), RGB(229, 229, 229), RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0),
                              RGB(255, 255, 0), RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255)]
    static func d(_ a: RGB, _ b: RGB) -> Int { let dr = a.r - b.r, dg = a.g - b.g, db = a.b - b.b; return 2 * dr * dr + 4 * dg * dg + 3 * db * db }
}
